package dev.baton.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The overlap rule of {@link ResourceGlobs}: worked examples, then a seeded random cross-check
 * against a brute-force reference that enumerates concrete paths. The seed is printed;
 * {@code -Dseed=N} replays a run.
 */
class ResourceGlobsTest {

    private static void overlaps(String a, String b) {
        assertTrue(ResourceGlobs.overlap(a, b), a + " should overlap " + b);
        assertTrue(ResourceGlobs.overlap(b, a), b + " should overlap " + a);
    }

    private static void disjoint(String a, String b) {
        assertFalse(ResourceGlobs.overlap(a, b), a + " should not overlap " + b);
        assertFalse(ResourceGlobs.overlap(b, a), b + " should not overlap " + a);
    }

    // ------------------------------------------------------------ worked examples

    @Test
    void identicalLiteralPathsOverlap() {
        overlaps("src/api/x.py", "src/api/x.py");
        overlaps("build.gradle", "build.gradle");
    }

    @Test
    void differentLiteralPathsDoNotOverlap() {
        disjoint("src/api/x.py", "src/api/y.py");
        disjoint("src/api", "src/api/x.py");
        disjoint("a/b", "b/a");
    }

    @Test
    void aDoubleStarCoversEverythingBelowItAndTheDirectoryItself() {
        overlaps("src/**", "src/api/x.py");
        overlaps("src/**", "src");
        disjoint("src/**", "srcs/x.py");
    }

    @Test
    void doubleStarsUnderDifferentDirectoriesDoNotOverlap() {
        disjoint("src/**", "docs/**");
        disjoint("src/**/*.py", "src/**/*.md");
    }

    @Test
    void aBareDoubleStarOverlapsAnything() {
        for (String other : List.of("a", "a/b/c", "*.md", "src/**", "?", "**", "[x]")) {
            overlaps("**", other);
        }
    }

    @Test
    void starsInDifferentSegmentsMeetAtAPathBothAdmit() {
        overlaps("src/*/x", "src/a/*");
    }

    @Test
    void differentExtensionsDoNotOverlap() {
        disjoint("*.md", "*.txt");
        disjoint("docs/*.md", "docs/*.txt");
    }

    @Test
    void aLeadingStarMeetsATrailingStar() {
        overlaps("a*", "*b");
        overlaps("a*c", "ab*");
    }

    @Test
    void aQuestionMarkIsExactlyOneCharacter() {
        disjoint("a?c", "abd");
        overlaps("a?c", "abc");
        disjoint("a?c", "ac");
        disjoint("a?c", "abbc");
    }

    @Test
    void aDoubleStarCanMatchZeroSegments() {
        overlaps("src/**/test", "src/test");
        overlaps("**/x", "x");
    }

    @Test
    void severalDoubleStarsEachMatchWhatTheyNeed() {
        overlaps("src/**/a/**/b", "src/x/a/y/b");
        overlaps("src/**/a/**/b", "src/a/b");
        disjoint("src/**/a/**/b", "src/x/b");
        overlaps("a/**/b", "**/b/**/c/**");
    }

    @Test
    void aSingleStarNeverCrossesASlash() {
        disjoint("*", "a/b");
        overlaps("*", "a");
        overlaps("*/*", "a/b");
        disjoint("src/*", "src/a/b");
    }

    @Test
    void aLeadingDoubleStarMatchesAnyDepth() {
        overlaps("**/x", "a/b/x");
        disjoint("**/x", "a/b/y");
    }

    @Test
    void aTrailingSlashNamesADirectoryAndEverythingInIt() {
        overlaps("dir/", "dir/file");
        overlaps("dir/", "dir/sub/file");
        overlaps("dir/", "dir");
        overlaps("dir/.", "dir/file");
        disjoint("dir/", "dirt/file");
        // Without the slash a plain path names that path only, as a glob would.
        disjoint("dir", "dir/file");
    }

    @Test
    void dotSegmentsRepeatedSlashesAndALeadingSlashAreIgnored() {
        overlaps("./src//a", "src/a");
        overlaps("/src/a", "src/a");
        overlaps("src/./a", "src/a");
        disjoint("./src//a", "src/b");
    }

    @Test
    void aGlobNamingTheRootOrClimbingOutOfItOverlapsEverything() {
        overlaps(".", "any/path");
        overlaps("/", "any/path");
        overlaps("../x", "src/y");
        overlaps("src/../../x", "docs/y");
    }

    @Test
    void braceAlternativesAreEachTried() {
        overlaps("{a,b}/x", "b/x");
        disjoint("{a,b}/x", "c/x");
        overlaps("{src,docs/api}/x", "docs/api/x");
        disjoint("{src,docs/api}/x", "docs/x");
        overlaps("{a,{b,c}d}/x", "cd/x");
        disjoint("{a,{b,c}d}/x", "c/x");
        overlaps("a{,b}", "a");
        overlaps("{**,z}/b", "q/r/b");
    }

    @Test
    void unmatchedOrEscapedBracesAreLiterals() {
        overlaps("a{b", "a{b");
        disjoint("a{b", "ab");
        overlaps("\\{a,b\\}", "\\{a,b\\}");
        disjoint("\\{a,b\\}", "a");
        overlaps("{a\\,b,c}", "a,b");
        // A brace inside a bracket expression belongs to the expression.
        overlaps("[{,}]x", "zx");
        disjoint("[{,}]x", "x");
    }

    @Test
    void tooManyBraceAlternativesMatchEverything() {
        String sixtyFour = "{a,b}".repeat(6);
        disjoint(sixtyFour, "zzz");
        overlaps(sixtyFour, "abab" + "ba");
        String oneHundredTwentyEight = "{a,b}".repeat(7);
        overlaps(oneHundredTwentyEight, "zzz");
    }

    @Test
    void aBracketExpressionIsReadAsAnyOneCharacterWhichIsAKnownFalsePositive() {
        // No path matches both: d is not in [abc]. The rule reads [abc] as ?, which can only
        // add overlaps; this pair is one it adds.
        overlaps("[abc].txt", "d.txt");
        overlaps("[!a]", "a");
        disjoint("[abc].txt", "d.md");
        disjoint("[abc].txt", "ab.txt");
    }

    @Test
    void anUnclosedBracketIsALiteral() {
        overlaps("a[b", "a[b");
        disjoint("a[b", "axb");
        disjoint("a[b/c]", "ab/c");
    }

    @Test
    void anEscapedWildcardMatchesOnlyItself() {
        overlaps("notes/\\*.md", "notes/\\*.md");
        disjoint("notes/\\*.md", "notes/a.md");
        // The unescaped glob matches the file literally named *.md.
        overlaps("notes/\\*.md", "notes/*.md");
        disjoint("a\\?", "ab");
        overlaps("a\\?", "a?");
        overlaps("\\a\\b", "ab");
    }

    @Test
    void doubleStarsInsideASegmentActLikeOneStar() {
        disjoint("a**b", "a/b");
        overlaps("a**b", "axyb");
        overlaps("a/***/b", "a/x/y/b");
    }

    @Test
    void charactersCompareExactlyAsCodePoints() {
        disjoint("README.md", "readme.md");
        overlaps("docs/?.md", "docs/\uD83D\uDE00.md");
        disjoint("docs/??.md", "docs/\uD83D\uDE00.md");
    }

    @Test
    void overlapIsSymmetric() {
        List<String> globs = List.of("src/**", "src/*/x", "src/a/*", "*.md", "**/*.md", "a*",
                "*b", "a?c", "{a,b}/x", "[abc].txt", "dir/", "./src//a", "**", "src/**/test",
                "a**b", "\\*.md", "x/**/y/**/z", "x/y", "?/?", "..", "{a,b}{c,d}/**");
        for (String a : globs) {
            for (String b : globs) {
                assertEquals(ResourceGlobs.overlap(a, b), ResourceGlobs.overlap(b, a),
                        a + " and " + b);
            }
        }
    }

    // ------------------------------------------------------------ lists

    @Test
    void overlappingListsTheirGlobsInTheirOrderOnce() {
        List<String> mine = List.of("src/**", "docs/*.md");
        List<String> theirs = List.of("lib/x", "src/b", "docs/a.md", "src/b", "docs/a.txt", "**");
        assertEquals(List.of("src/b", "docs/a.md", "**"),
                ResourceGlobs.overlapping(mine, theirs));
        assertEquals(List.of(), ResourceGlobs.overlapping(mine, List.of("lib/**", "x")));
        assertEquals(List.of(), ResourceGlobs.overlapping(List.of(), theirs));
    }

    @Test
    void anyOverlapAsksWhetherSomePairOverlaps() {
        assertTrue(ResourceGlobs.anyOverlap(List.of("a/**", "b/x"), List.of("c", "b/*")));
        assertFalse(ResourceGlobs.anyOverlap(List.of("a/**", "b/x"), List.of("c", "b/y")));
        assertFalse(ResourceGlobs.anyOverlap(List.of(), List.of("**")));
        assertFalse(ResourceGlobs.anyOverlap(List.of("**"), List.of()));
    }

    @Test
    void anExhaustedBudgetCountsEveryUndecidedPairAsAnOverlap() {
        // These pairs pass the cheap literal prefix and suffix test, so only the tables decide.
        List<String> mine = List.of("src/*a*/x*");
        List<String> theirs = List.of("src/*b*/y*", "src/*/z*");
        assertEquals(List.of(), ResourceGlobs.overlapping(mine, theirs, 100, 1_000));
        assertEquals(theirs, ResourceGlobs.overlapping(mine, theirs, 100, 0));
        // A pair the literal prefixes tell apart costs a cell per compared char, far less.
        assertEquals(List.of(), ResourceGlobs.overlapping(List.of("src/a"), List.of("src/b"),
                100, 20));
        assertEquals(theirs.subList(0, 1), ResourceGlobs.overlapping(mine, theirs, 1, 20));
    }

    @Test
    void theWorstCaseStopsAtTheBudgetAndAnswersConservatively() {
        // Sixty-four long globs a side that share no path (their lengths differ) but pass the
        // cheap prefix and suffix test: unbounded, this is hundreds of millions of cells.
        List<String> mine = new ArrayList<>();
        List<String> theirs = new ArrayList<>();
        for (int k = 0; k < Limits.RESOURCES_MAX; k++) {
            mine.add("?".repeat(Limits.RESOURCE_CHARS_MAX - k));
            theirs.add("?".repeat(Limits.RESOURCE_CHARS_MAX - Limits.RESOURCES_MAX - k));
        }
        long start = System.nanoTime();
        assertTrue(ResourceGlobs.anyOverlap(mine, theirs));
        assertEquals(theirs.size(), ResourceGlobs.overlapping(mine, theirs).size());
        long millis = (System.nanoTime() - start) / 1_000_000;
        System.out.println("ResourceGlobsTest worst case within the budget: " + millis + " ms");
        // With no budget the real answer comes out: no overlap at all.
        assertEquals(List.of(), ResourceGlobs.overlapping(mine.subList(0, 8), theirs.subList(0, 8),
                Integer.MAX_VALUE, Long.MAX_VALUE));
    }

    // ------------------------------------------------------------ brute-force cross-check

    /** Witness segments: every string of 1 to 4 letters over {a, b}. */
    private static final List<String> WORDS = words();
    /** Witness paths have at most this many segments. */
    private static final int DEPTH = 4;
    private static final int GLOBS = 150;

    private static List<String> words() {
        List<String> out = new ArrayList<>();
        for (int len = 1; len <= 4; len++) {
            for (int bits = 0; bits < 1 << len; bits++) {
                StringBuilder w = new StringBuilder();
                for (int k = 0; k < len; k++) {
                    w.append((bits >> k & 1) == 0 ? 'a' : 'b');
                }
                out.add(w.toString());
            }
        }
        return List.copyOf(out);
    }

    /**
     * The bounds make the witness space complete for globs without bracket expressions. A
     * segment has at most three tokens, so two segments that share a string share one of at
     * most four letters (two literals a side around stars); and letters other than a and b are
     * only ever matched by wildcards, so a or b can stand in for them. Every brace expansion has
     * at most three segments, so two globs that share a path share one of at most four segments
     * (each side with a ** has at most two plain segments; a side without one fixes the count).
     */
    @Test
    void overlapNeverMissesAPathBothGlobsMatchAndAddsNoneWithoutBrackets() {
        long seed = Long.getLong("seed", System.nanoTime());
        System.out.println("ResourceGlobsTest seed=" + seed + " (replay: -Dseed=" + seed + ")");
        Random random = new Random(seed);
        List<String> texts = new ArrayList<>();
        List<long[]> matched = new ArrayList<>();
        List<Boolean> exact = new ArrayList<>();
        for (int g = 0; g < GLOBS; g++) {
            RandomGlob glob = RandomGlob.of(random);
            texts.add(glob.text);
            matched.add(glob.matchedPaths());
            exact.add(!glob.text.contains("["));
        }
        int pairs = 0;
        int real = 0;
        int falseWithoutBrackets = 0;
        int falseWithBrackets = 0;
        for (int i = 0; i < GLOBS; i++) {
            for (int j = i; j < GLOBS; j++) {
                String a = texts.get(i);
                String b = texts.get(j);
                boolean answer = ResourceGlobs.overlap(a, b);
                assertEquals(answer, ResourceGlobs.overlap(b, a),
                        a + " and " + b + " seed=" + seed);
                boolean witness = intersect(matched.get(i), matched.get(j));
                pairs++;
                real += witness ? 1 : 0;
                assertTrue(answer || !witness, "missed the overlap of " + a + " and " + b
                        + " seed=" + seed);
                if (answer && !witness) {
                    if (exact.get(i) && exact.get(j)) {
                        falseWithoutBrackets++;
                        System.out.println("false positive without brackets: " + a + " ~ " + b);
                    } else {
                        falseWithBrackets++;
                    }
                }
            }
        }
        System.out.println("ResourceGlobsTest pairs=" + pairs + " overlapping=" + real
                + " falsePositivesWithBrackets=" + falseWithBrackets
                + " falsePositivesWithoutBrackets=" + falseWithoutBrackets);
        assertEquals(0, falseWithoutBrackets, "seed=" + seed);
        assertTrue(real > pairs / 20 && real < pairs - pairs / 20, "the sample should be mixed");
    }

    private static boolean intersect(long[] x, long[] y) {
        for (int k = 0; k < x.length; k++) {
            if ((x[k] & y[k]) != 0) {
                return true;
            }
        }
        return false;
    }

    /**
     * A random glob over the letters a and b, kept both as text for {@link ResourceGlobs} and as
     * the list of its brace expansions, each a list of segments, for the reference matcher. A
     * segment is {@code null} for {@code **} or else its tokens: a letter, {@code *}, {@code ?},
     * or a bracket expression.
     */
    private static final class RandomGlob {
        final String text;
        final List<List<List<String>>> expansions;

        private RandomGlob(String text, List<List<List<String>>> expansions) {
            this.text = text;
            this.expansions = expansions;
        }

        static RandomGlob of(Random random) {
            StringBuilder text = new StringBuilder();
            List<List<List<String>>> expansions = new ArrayList<>();
            expansions.add(new ArrayList<>());
            int parts = 1 + random.nextInt(3);
            for (int p = 0; p < parts; p++) {
                int room = 3 - maxLength(expansions) - (parts - p - 1);
                if (p > 0) {
                    text.append(random.nextInt(8) == 0 ? "//" : "/");
                }
                if (room >= 1 && random.nextInt(6) == 0) {
                    expansions = brace(random, text, expansions, room);
                } else {
                    List<String> segment = segment(random);
                    text.append(render(segment));
                    for (List<List<String>> e : expansions) {
                        e.add(segment);
                    }
                }
            }
            return finish(random, text, expansions);
        }

        /** Adds a group {x,y} whose alternatives are one or two segments each. */
        private static List<List<List<String>>> brace(Random random, StringBuilder text,
                List<List<List<String>>> expansions, int room) {
            List<List<List<String>>> next = new ArrayList<>();
            text.append('{');
            for (int alt = 0; alt < 2; alt++) {
                List<List<String>> segments = new ArrayList<>();
                int count = 1 + random.nextInt(Math.min(room, 2));
                for (int s = 0; s < count; s++) {
                    List<String> segment = segment(random);
                    segments.add(segment);
                    text.append(s > 0 ? "/" : "").append(render(segment));
                }
                text.append(alt == 0 ? "," : "}");
                for (List<List<String>> e : expansions) {
                    List<List<String>> joined = new ArrayList<>(e);
                    joined.addAll(segments);
                    next.add(joined);
                }
            }
            return next;
        }

        /** Maybe a leading ./ or /, and maybe a trailing / (which adds a ** segment). */
        private static RandomGlob finish(Random random, StringBuilder text,
                List<List<List<String>>> expansions) {
            int lead = random.nextInt(8);
            if (lead == 0) {
                text.insert(0, "./");
            } else if (lead == 1) {
                text.insert(0, "/");
            }
            if (maxPlain(expansions) <= 2 && random.nextInt(8) == 0) {
                text.append('/');
                for (List<List<String>> e : expansions) {
                    e.add(null);
                }
            }
            return new RandomGlob(text.toString(), expansions);
        }

        private static int maxLength(List<List<List<String>>> expansions) {
            int max = 0;
            for (List<List<String>> e : expansions) {
                max = Math.max(max, e.size());
            }
            return max;
        }

        private static int maxPlain(List<List<List<String>>> expansions) {
            int max = 0;
            for (List<List<String>> e : expansions) {
                max = Math.max(max, e.size() - Collections.frequency(e, null));
            }
            return max;
        }

        /** A ** segment one time in five; otherwise one to three tokens. */
        private static List<String> segment(Random random) {
            if (random.nextInt(5) == 0) {
                return null;
            }
            List<String> tokens = new ArrayList<>();
            int n = 1 + random.nextInt(3);
            for (int k = 0; k < n; k++) {
                int r = random.nextInt(20);
                tokens.add(r < 6 ? "a" : r < 12 ? "b" : r < 16 ? "*" : r < 19 ? "?"
                        : List.of("[a]", "[!a]", "[^b]", "[ab]", "[a-b]", "[c]").get(
                                random.nextInt(6)));
            }
            // A segment of stars only is a ** segment, by the rule under test.
            boolean allStars = tokens.stream().allMatch("*"::equals);
            return allStars && n >= 2 ? null : tokens;
        }

        private static String render(List<String> segment) {
            return segment == null ? "**" : String.join("", segment);
        }

        /** Sets bit k for each enumerated witness path k that some expansion matches. */
        long[] matchedPaths() {
            int total = 0;
            for (int d = 1, layer = 1; d <= DEPTH; d++) {
                layer *= WORDS.size();
                total += layer;
            }
            long[] bits = new long[(total + 63) / 64];
            for (List<List<String>> e : expansions) {
                Nfa nfa = new Nfa(e);
                walk(nfa, nfa.closure(1), 1, new int[1], bits);
            }
            return bits;
        }

        /** Visits every witness path below a node in one fixed order, so indices agree. */
        private static void walk(Nfa nfa, int states, int depth, int[] next, long[] bits) {
            for (int w = 0; w < WORDS.size(); w++) {
                int after = nfa.step(states, w);
                int index = next[0]++;
                if (nfa.accepts(after)) {
                    bits[index >> 6] |= 1L << index;
                }
                if (depth < DEPTH) {
                    if (after == 0) {
                        next[0] += subtree(depth);
                    } else {
                        walk(nfa, after, depth + 1, next, bits);
                    }
                }
            }
        }

        private static int subtree(int depth) {
            int size = 0;
            for (int d = depth + 1, layer = 1; d <= DEPTH; d++) {
                layer *= WORDS.size();
                size += layer;
            }
            return size;
        }
    }

    /**
     * The reference: a glob's segments as a nondeterministic automaton over whole segments,
     * states held as a bit set of positions. Plain segments are matched against each witness
     * word by a plain backtracking matcher.
     */
    private static final class Nfa {
        private final int size;
        private final boolean[] globstar;
        private final boolean[][] accepts;

        Nfa(List<List<String>> segments) {
            size = segments.size();
            globstar = new boolean[size];
            accepts = new boolean[size][WORDS.size()];
            for (int s = 0; s < size; s++) {
                globstar[s] = segments.get(s) == null;
                for (int w = 0; w < WORDS.size() && !globstar[s]; w++) {
                    accepts[s][w] = matches(segments.get(s), 0, WORDS.get(w), 0);
                }
            }
        }

        int closure(int states) {
            for (int s = 0; s < size; s++) {
                if ((states >> s & 1) != 0 && globstar[s]) {
                    states |= 1 << (s + 1);
                }
            }
            return states;
        }

        int step(int states, int word) {
            int out = 0;
            for (int s = 0; s < size; s++) {
                if ((states >> s & 1) != 0) {
                    if (globstar[s]) {
                        out |= 1 << s;
                    } else if (accepts[s][word]) {
                        out |= 1 << (s + 1);
                    }
                }
            }
            return closure(out);
        }

        boolean accepts(int states) {
            return (states >> size & 1) != 0;
        }

        private static boolean matches(List<String> tokens, int t, String word, int c) {
            if (t == tokens.size()) {
                return c == word.length();
            }
            String token = tokens.get(t);
            if (token.equals("*")) {
                for (int k = c; k <= word.length(); k++) {
                    if (matches(tokens, t + 1, word, k)) {
                        return true;
                    }
                }
                return false;
            }
            return c < word.length() && single(token, word.charAt(c))
                    && matches(tokens, t + 1, word, c + 1);
        }

        private static boolean single(String token, char ch) {
            if (token.equals("?")) {
                return true;
            }
            if (!token.startsWith("[")) {
                return token.charAt(0) == ch;
            }
            boolean negated = token.charAt(1) == '!' || token.charAt(1) == '^';
            String body = token.substring(negated ? 2 : 1, token.length() - 1);
            boolean member = body.length() == 3 && body.charAt(1) == '-'
                    ? body.charAt(0) <= ch && ch <= body.charAt(2)
                    : body.indexOf(ch) >= 0;
            return member != negated;
        }
    }
}
