package dev.baton.core;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * Decides whether two tasks' {@code resources} conflict: whether some path could match a glob of
 * each. The answer is conservative: it never misses a real overlap, and it says "overlap" without
 * a common path only where the rule below says so.
 *
 * <h2>The rule</h2>
 * A path is repository-relative: one or more non-empty segments joined by {@code /}. A glob is
 * read in three steps.
 * <ol>
 * <li><b>Braces.</b> Each {@code {x,y,...}} group is expanded into its alternatives, nested groups
 * included, so {@code {src,docs/api}/**} is {@code src/**} or {@code docs/api/**}. A brace or
 * comma that is escaped, sits inside a bracket expression, or has no partner is a literal. A glob
 * with more than {@value #MAX_EXPANSIONS} alternatives is read as {@code **}, which matches
 * everything.</li>
 * <li><b>Segments.</b> The glob is split at every {@code /} (an escaped {@code \/} too, because
 * no segment can hold a {@code /}). Empty and {@code .} segments are dropped, so a leading
 * {@code /} or {@code ./} and a doubled {@code //} change nothing. A glob that ends in {@code /}
 * (or {@code /.}) names a directory, and a task that writes a directory writes everything in it:
 * {@code dir/} reads as {@code dir/**}. A glob with no segments left ({@code .}, {@code /}) names
 * the whole repository, and a glob with a {@code ..} segment could name anything: both read as
 * {@code **}.</li>
 * <li><b>Wildcards.</b> A segment made only of two or more {@code *} is {@code **}: zero or more
 * whole segments, so {@code src/**} matches {@code src} and {@code src/a/b}, and
 * {@code src/**}{@code /test} matches {@code src/test}. Within any other segment, {@code *}
 * matches any run of characters (empty too, leading dots too, never a {@code /}), so
 * {@code a**b} is {@code a*b}; {@code ?} matches one character; a bracket expression
 * {@code [...]} (with {@code !} or {@code ^} negation and ranges) is read as {@code ?}, which can
 * only add overlaps; a backslash makes the next character literal. Everything else matches
 * itself, compared exactly as Unicode code points: case and normalisation are not folded.</li>
 * </ol>
 * Two globs overlap when some path matches both under this reading. The only answers of "overlap"
 * without such a path come from bracket expressions, from the fall-backs to {@code **} above,
 * from the work budget below, and from globs whose only common segment would be {@code .} or
 * {@code ..}, which no real path has. Examples: {@code src/*}{@code /x} and {@code src/a/*}
 * overlap (at {@code src/a/x}); {@code *.md} and {@code *.txt} do not; {@code *} and {@code a/b}
 * do not, because {@code *} stays within a segment; a plain path overlaps a glob only if the glob
 * matches it, so {@code dir} and {@code dir/file} do not (write {@code dir/} for the directory);
 * {@code [abc].txt} and {@code d.txt} do, conservatively.
 *
 * <h2>Algorithm, determinism and cost</h2>
 * Each pair of alternatives is first compared by its literal prefix and suffix, which settles
 * most real pairs at once. The rest are decided by a dynamic programme over the two segment lists
 * in which {@code **} may consume zero or more of the other side's segments; two plain segments
 * may be paired when a second programme over their characters, in which {@code *} may consume
 * the other side's characters, reaches both ends. Both programmes fill a table once, in order,
 * with no backtracking: a pair of alternatives of n and m chars costs at most about n·m cells
 * over both levels.
 *
 * <p>Each public call spends at most {@value #WORK_BUDGET} cells in all, counting a cell per pair
 * of alternatives, per compared prefix or suffix char and per table entry. Real globs need tens
 * of cells per pair, so 64 globs against 64 use a small fraction of it; only crafted globs can
 * exhaust it, and from then on every pair not yet decided counts as an overlap. Reading a glob
 * costs its length times at most {@value #MAX_EXPANSIONS} expansions (times its brace nesting
 * depth at worst). At the contract's limits (64 globs of 512 chars a side) a call takes a few
 * tens of milliseconds at worst. The result is a function of the arguments alone: no clock, no
 * randomness, no hash order, and lists come back in input order. Changing this rule or either
 * constant changes replicated behaviour, so it must ship like any change to the machine.
 */
public final class ResourceGlobs {
    /** The most alternatives one glob's braces may expand to before it is read as {@code **}. */
    public static final int MAX_EXPANSIONS = 64;
    /** The most table cells one public call may fill; see the class comment. */
    public static final long WORK_BUDGET = 1L << 22;

    /** A character token that matches any one character. */
    private static final int ONE = -1;
    /** A character token that matches any run of characters within a segment. */
    private static final int STAR = -2;
    /** In a segment list, {@code null} stands for a {@code **} segment. */
    private static final int[] GLOBSTAR = null;
    /** Marks an empty or {@code .} segment, which is dropped. */
    private static final int[] DOT = new int[0];
    /** Marks a {@code ..} segment, which makes the glob match everything. */
    private static final int[] DOT_DOT = new int[0];
    /** A parsed glob that matches every path. */
    private static final Glob EVERYTHING = new Glob(List.of(), true);

    private ResourceGlobs() {
    }

    /** True when some path matches both globs. */
    public static boolean overlap(String a, String b) {
        Objects.requireNonNull(a, "a");
        Objects.requireNonNull(b, "b");
        return meet(parse(a), parse(b), new Budget(WORK_BUDGET));
    }

    /** True when some glob of {@code as} overlaps some glob of {@code bs}. */
    public static boolean anyOverlap(List<String> as, List<String> bs) {
        return !overlapping(as, bs, 1, WORK_BUDGET).isEmpty();
    }

    /**
     * The globs of {@code theirs} that overlap some glob of {@code mine}, in the order of
     * {@code theirs}, each once: the detail of a refused claim.
     */
    public static List<String> overlapping(List<String> mine, List<String> theirs) {
        return overlapping(mine, theirs, Integer.MAX_VALUE, WORK_BUDGET);
    }

    /** The work of {@link #overlapping}, stopping after {@code enough} finds; tests set budget. */
    static List<String> overlapping(List<String> mine, List<String> theirs, int enough,
            long budget) {
        List<Glob> mineParsed = new ArrayList<>(mine.size());
        for (String glob : mine) {
            mineParsed.add(parse(Objects.requireNonNull(glob, "a glob of mine")));
        }
        Budget work = new Budget(budget);
        List<String> found = new ArrayList<>();
        for (String glob : theirs) {
            Objects.requireNonNull(glob, "a glob of theirs");
            // A repeated glob has the same answer; the list is at most 64 long, so a scan is fine.
            if (found.contains(glob)) {
                continue;
            }
            Glob parsed = parse(glob);
            for (Glob m : mineParsed) {
                if (meet(m, parsed, work)) {
                    found.add(glob);
                    break;
                }
            }
            if (found.size() >= enough) {
                break;
            }
        }
        return List.copyOf(found);
    }

    // ---------------------------------------------------------------- deciding

    private static boolean meet(Glob x, Glob y, Budget work) {
        if (x.everything || y.everything) {
            return true;
        }
        for (Alt a : x.alts) {
            for (Alt b : y.alts) {
                // Comparing affixes is work too: a cell for the pair and one per compared char.
                long cells = 1 + Math.min(a.prefix.length, b.prefix.length)
                        + Math.min(a.suffix.length, b.suffix.length);
                if (!work.take(cells)) {
                    return true;
                }
                if (affixesAgree(a.prefix, b.prefix, false)
                        && affixesAgree(a.suffix, b.suffix, true)
                        && segmentListsMeet(a.segments, b.segments, work)) {
                    return true;
                }
            }
        }
        return false;
    }

    /**
     * Every path an alternative matches starts with its literal prefix and ends with its literal
     * suffix, so two alternatives can share a path only if one prefix extends the other and one
     * suffix extends the other.
     */
    private static boolean affixesAgree(int[] p, int[] q, boolean fromEnd) {
        int n = Math.min(p.length, q.length);
        for (int k = 0; k < n; k++) {
            int pk = fromEnd ? p[p.length - 1 - k] : p[k];
            int qk = fromEnd ? q[q.length - 1 - k] : q[k];
            if (pk != qk) {
                return false;
            }
        }
        return true;
    }

    /** Whether some path matches both segment lists: {@link #meet} with {@code **} as wildcard. */
    private static boolean segmentListsMeet(int[][] x, int[][] y, Budget work) {
        return meet(x.length, y.length, i -> x[i] == GLOBSTAR, j -> y[j] == GLOBSTAR,
                (i, j) -> segmentsMeet(x[i], y[j], work), work);
    }

    /**
     * Whether some one segment matches both token lists: {@link #meet} with {@code *} as
     * wildcard, where {@code ?} meets any character and literals only themselves. Both lists are
     * non-empty, so a common match is never only the empty string unless both are all stars,
     * and then any character would do.
     */
    private static boolean segmentsMeet(int[] x, int[] y, Budget work) {
        return meet(x.length, y.length, i -> x[i] == STAR, j -> y[j] == STAR,
                (i, j) -> x[i] == ONE || y[j] == ONE || x[i] == y[j], work);
    }

    /** Whether two plain tokens (neither a wildcard) can match the same thing. */
    private interface Pairing {
        boolean meets(int i, int j);
    }

    /**
     * The one programme both levels run: over two token lists of lengths m and n, cell (i, j)
     * is reached when some input matches the first i tokens of x and the first j of y. A
     * wildcard may end (move past itself) or consume the other side's next token, whatever that
     * is; two plain tokens advance together when they meet. Every move goes right or down, so
     * one pass in row order settles each cell after all cells that lead to it. Costs (m+1)(n+1)
     * cells of the budget; an exhausted budget answers true, which can only add overlaps.
     */
    private static boolean meet(int m, int n, java.util.function.IntPredicate xWild,
                                java.util.function.IntPredicate yWild, Pairing plain,
                                Budget work) {
        int w = n + 1;
        if (!work.take((long) (m + 1) * w)) {
            return true;
        }
        boolean[] reach = new boolean[(m + 1) * w];
        reach[0] = true;
        for (int i = 0; i <= m; i++) {
            for (int j = 0; j <= n; j++) {
                if (!reach[i * w + j]) {
                    continue;
                }
                if (i == m && j == n) {
                    return true;
                }
                boolean xStar = i < m && xWild.test(i);
                boolean yStar = j < n && yWild.test(j);
                if (xStar || (yStar && i < m)) {
                    reach[(i + 1) * w + j] = true;
                }
                if (yStar || (xStar && j < n)) {
                    reach[i * w + j + 1] = true;
                }
                if (i < m && j < n && !xStar && !yStar && plain.meets(i, j)) {
                    reach[(i + 1) * w + j + 1] = true;
                }
            }
        }
        return false;
    }

    // ---------------------------------------------------------------- reading

    /** A glob read into alternatives, or one that matches everything. */
    private record Glob(List<Alt> alts, boolean everything) {
    }

    /** One brace alternative: its segments ({@code null} for {@code **}) and literal affixes. */
    private record Alt(int[][] segments, int[] prefix, int[] suffix) {
    }

    private static Glob parse(String glob) {
        List<String> expansions = glob.indexOf('{') < 0 ? List.of(glob) : expandBraces(glob);
        if (expansions == null) {
            return EVERYTHING;
        }
        List<Alt> alts = new ArrayList<>(expansions.size());
        for (String expansion : expansions) {
            int[][] segments = readSegments(expansion);
            if (segments == null) {
                return EVERYTHING;
            }
            alts.add(new Alt(segments, prefix(segments), suffix(segments)));
        }
        return new Glob(List.copyOf(alts), false);
    }

    /**
     * The segments of one brace-free glob, or {@code null} when it matches everything: when no
     * segment is left, when only {@code **} is left, or when a segment is {@code ..}.
     */
    private static int[][] readSegments(String glob) {
        List<int[]> segments = new ArrayList<>();
        // No segment has more tokens than the glob has chars.
        int[] tokens = new int[glob.length()];
        int n = 0;
        boolean directory = false;
        int i = 0;
        while (i <= glob.length()) {
            boolean end = i == glob.length();
            int step = end ? 1 : tokenLength(glob, i);
            boolean separator = end || glob.charAt(i) == '/'
                    || (glob.charAt(i) == '\\' && step == 2 && glob.charAt(i + 1) == '/');
            if (separator) {
                int[] segment = finishSegment(tokens, n);
                n = 0;
                if (segment == DOT_DOT) {
                    return null;
                }
                if (segment != DOT) {
                    segments.add(segment);
                    directory = false;
                }
                // A separator after some segment, with nothing real after it, names a directory.
                directory |= !end && !segments.isEmpty();
            } else {
                tokens[n++] = token(glob, i, step);
            }
            i += step;
        }
        if (directory) {
            segments.add(GLOBSTAR);
        }
        return collapse(segments);
    }

    /** The segment made of {@code tokens[0, n)}: {@link #DOT}, {@link #DOT_DOT}, ** or tokens. */
    private static int[] finishSegment(int[] tokens, int n) {
        if (n == 0 || (n == 1 && tokens[0] == '.')) {
            return DOT;
        }
        if (n == 2 && tokens[0] == '.' && tokens[1] == '.') {
            return DOT_DOT;
        }
        // Runs of stars match what one star matches, and fewer tokens make smaller tables.
        int[] out = new int[n];
        int kept = 0;
        int stars = 0;
        for (int k = 0; k < n; k++) {
            int t = tokens[k];
            stars += t == STAR ? 1 : 0;
            if (t != STAR || kept == 0 || out[kept - 1] != STAR) {
                out[kept++] = t;
            }
        }
        return stars >= 2 && stars == n ? GLOBSTAR : Arrays.copyOf(out, kept);
    }

    /** Drops a {@code **} that follows another; {@code null} when nothing plain is left. */
    private static int[][] collapse(List<int[]> segments) {
        List<int[]> out = new ArrayList<>(segments.size());
        boolean plain = false;
        for (int[] s : segments) {
            if (s != GLOBSTAR || out.isEmpty() || out.get(out.size() - 1) != GLOBSTAR) {
                out.add(s);
            }
            plain |= s != GLOBSTAR;
        }
        return plain ? out.toArray(new int[0][]) : null;
    }

    /**
     * How many chars the token at {@code i} spans: an escape is two (a lone trailing backslash is
     * itself), a closed bracket expression runs to its {@code ]}, anything else is one char or
     * one surrogate pair.
     */
    private static int tokenLength(String s, int i) {
        char c = s.charAt(i);
        if (c == '\\' && i + 1 < s.length()) {
            return 1 + Character.charCount(s.codePointAt(i + 1));
        }
        if (c == '[') {
            int close = classEnd(s, i);
            if (close > 0) {
                return close - i + 1;
            }
        }
        return Character.charCount(s.codePointAt(i));
    }

    private static int token(String s, int i, int step) {
        char c = s.charAt(i);
        if (c == '\\' && step > 1) {
            return s.codePointAt(i + 1);
        }
        if (c == '*') {
            return STAR;
        }
        if (c == '?' || (c == '[' && step > 1)) {
            return ONE;
        }
        return s.codePointAt(i);
    }

    /**
     * The index of the {@code ]} closing the bracket expression opened at {@code open}, or -1 when
     * it is not closed within its segment and so the {@code [} is a literal. A {@code ]} right
     * after the opening (or its negation) is a member, as in {@code []]}.
     */
    private static int classEnd(String s, int open) {
        int j = open + 1;
        if (j < s.length() && (s.charAt(j) == '!' || s.charAt(j) == '^')) {
            j++;
        }
        if (j < s.length() && s.charAt(j) == ']') {
            j++;
        }
        while (j < s.length()) {
            char c = s.charAt(j);
            if (c == '/' || (c == '\\' && j + 1 < s.length() && s.charAt(j + 1) == '/')) {
                return -1;
            }
            if (c == ']') {
                return j;
            }
            j += c == '\\' && j + 1 < s.length() ? 2 : 1;
        }
        return -1;
    }

    /** The literal text every match starts with; it stops short of the {@code /} before a **. */
    private static int[] prefix(int[][] segments) {
        int[] out = new int[affixRoom(segments)];
        int n = 0;
        for (int k = 0; k < segments.length && segments[k] != GLOBSTAR; k++) {
            if (k > 0) {
                out[n++] = '/';
            }
            for (int t : segments[k]) {
                if (t < 0) {
                    return Arrays.copyOf(out, n);
                }
                out[n++] = t;
            }
        }
        return Arrays.copyOf(out, n);
    }

    /** The literal text every match ends with, in reading order. */
    private static int[] suffix(int[][] segments) {
        int[] out = new int[affixRoom(segments)];
        int start = out.length;
        for (int k = segments.length - 1; k >= 0 && segments[k] != GLOBSTAR; k--) {
            if (k < segments.length - 1) {
                out[--start] = '/';
            }
            int[] s = segments[k];
            for (int t = s.length - 1; t >= 0; t--) {
                if (s[t] < 0) {
                    return Arrays.copyOfRange(out, start, out.length);
                }
                out[--start] = s[t];
            }
        }
        return Arrays.copyOfRange(out, start, out.length);
    }

    /** Room for every token of every segment and a separator between each two. */
    private static int affixRoom(int[][] segments) {
        int room = segments.length;
        for (int[] s : segments) {
            room += s == GLOBSTAR ? 0 : s.length;
        }
        return room;
    }

    // ---------------------------------------------------------------- braces

    /**
     * The brace expansions of {@code glob}, in order, with escapes and bracket expressions left
     * as written for {@link #readSegments}; {@code null} when there are more than
     * {@value #MAX_EXPANSIONS}. Each expansion keeps a subsequence of the glob's chars, so none is
     * longer than the glob.
     */
    private static List<String> expandBraces(String glob) {
        int[] close = new int[glob.length()];
        List<Integer> open = new ArrayList<>();
        for (int i = 0; i < glob.length(); i += tokenLength(glob, i)) {
            char c = glob.charAt(i);
            if (c == '{') {
                open.add(i);
            } else if (c == '}' && !open.isEmpty()) {
                close[open.remove(open.size() - 1)] = i;
            }
        }
        return expand(glob, 0, glob.length(), close);
    }

    /** Expands {@code s[from, to)}; {@code close[i] > 0} marks a group opened at i. */
    private static List<String> expand(String s, int from, int to, int[] close) {
        List<String> done = List.of("");
        StringBuilder literal = new StringBuilder();
        int i = from;
        while (i < to) {
            if (s.charAt(i) == '{' && close[i] > 0) {
                List<String> alternatives = alternatives(s, i + 1, close[i], close);
                if (alternatives == null
                        || (long) done.size() * alternatives.size() > MAX_EXPANSIONS) {
                    return null;
                }
                if (alternatives.size() == 1) {
                    // A one-way group such as {a} multiplies nothing: it joins the literal.
                    literal.append(alternatives.get(0));
                    i = close[i] + 1;
                    continue;
                }
                List<String> next = new ArrayList<>(done.size() * alternatives.size());
                for (String head : done) {
                    for (String tail : alternatives) {
                        next.add(head + literal + tail);
                    }
                }
                done = next;
                literal.setLength(0);
                i = close[i] + 1;
            } else {
                int step = tokenLength(s, i);
                literal.append(s, i, i + step);
                i += step;
            }
        }
        List<String> out = new ArrayList<>(done.size());
        for (String head : done) {
            out.add(head + literal);
        }
        return out;
    }

    /** The expansions of a group's body {@code s[from, to)}: its comma-separated parts in order. */
    private static List<String> alternatives(String s, int from, int to, int[] close) {
        List<String> out = new ArrayList<>();
        int start = from;
        int i = from;
        while (i <= to) {
            if (i == to || s.charAt(i) == ',') {
                List<String> part = expand(s, start, i, close);
                if (part == null || out.size() + part.size() > MAX_EXPANSIONS) {
                    return null;
                }
                out.addAll(part);
                start = i + 1;
                i++;
            } else if (s.charAt(i) == '{' && close[i] > 0) {
                i = close[i] + 1;
            } else {
                i += tokenLength(s, i);
            }
        }
        return out;
    }

    // ---------------------------------------------------------------- budget

    /** The table cells a call may still fill; once short, it stays exhausted. */
    private static final class Budget {
        private long left;

        Budget(long cells) {
            left = cells;
        }

        /** Spends {@code cells}, or answers false (and spends nothing more ever) when short. */
        boolean take(long cells) {
            if (cells > left) {
                left = -1;
                return false;
            }
            left -= cells;
            return true;
        }
    }
}
