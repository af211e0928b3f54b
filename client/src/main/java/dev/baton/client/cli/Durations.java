package dev.baton.client.cli;

import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Durations as people type them: {@code 500ms}, {@code 30s}, {@code 2m}, {@code 1h}, and sums
 * such as {@code 1m30s}. A bare number is seconds ({@code --wait 30} is 30 s), as in
 * {@code sleep 30}. Whole numbers only; anything else is a usage error.
 */
final class Durations {
    private static final Pattern PART = Pattern.compile("(\\d{1,9})(ms|s|m|h)");
    private static final Pattern BARE = Pattern.compile("\\d{1,9}");

    private Durations() {
    }

    /**
     * @param option the flag the text came with, for the error message
     * @throws UsageException when the text is not a duration
     */
    static Duration parse(String option, String text) {
        String t = text.trim();
        if (BARE.matcher(t).matches()) {
            return Duration.ofSeconds(Long.parseLong(t));
        }
        Matcher m = PART.matcher(t);
        Duration total = Duration.ZERO;
        int at = 0;
        while (at < t.length() && m.find(at) && m.start() == at) {
            long n = Long.parseLong(m.group(1));
            total = total.plus(switch (m.group(2)) {
                case "ms" -> Duration.ofMillis(n);
                case "s" -> Duration.ofSeconds(n);
                case "m" -> Duration.ofMinutes(n);
                default -> Duration.ofHours(n);
            });
            at = m.end();
        }
        if (at == 0 || at != t.length()) {
            throw new UsageException(option + " takes a duration such as 500ms, 30s, 2m or 1h"
                    + " (a bare number is seconds), got \"" + text + "\"");
        }
        return total;
    }

    /** The shortest exact form: {@code 30s}, {@code 1m30s}, {@code 500ms}, {@code 2h}. */
    static String format(Duration d) {
        long ms = d.toMillis();
        if (ms == 0) {
            return "0s";
        }
        StringBuilder b = new StringBuilder();
        if (ms < 0) {
            b.append('-');
            ms = -ms;
        }
        long h = ms / 3_600_000;
        long m = ms / 60_000 % 60;
        long s = ms / 1_000 % 60;
        long rest = ms % 1_000;
        if (h > 0) {
            b.append(h).append('h');
        }
        if (m > 0) {
            b.append(m).append('m');
        }
        if (s > 0) {
            b.append(s).append('s');
        }
        if (rest > 0) {
            b.append(rest).append("ms");
        }
        return b.toString();
    }

    /** A rough form for a countdown: {@code 12s}, {@code 4m}, {@code 2h}. */
    static String approximate(Duration d) {
        long s = Math.max(0, d.toSeconds());
        if (s < 120) {
            return s + "s";
        }
        if (s < 7_200) {
            return s / 60 + "m";
        }
        return s / 3_600 + "h";
    }
}
