package dev.baton.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The core is a deterministic state machine: it must never read a clock, draw a random number,
 * sleep, or touch the file system. Every replica would see something different. (TigerBeetle's
 * tidy.zig does the same job.)
 */
class TidyTest {
    private static final List<String> FORBIDDEN = List.of("System.currentTimeMillis",
            "System.nanoTime", "Instant.now", "LocalDateTime.now", "new Random",
            "Math.random", "UUID.randomUUID", "Thread.sleep", "java.io.File", "java.nio.file",
            "FileInputStream", "FileOutputStream");

    @Test
    void theCoreNeverReadsAClockDrawsRandomnessSleepsOrTouchesFiles() throws IOException {
        // Maven runs tests with the module as the working directory.
        Path main = Path.of("src/main/java/dev/baton/core");
        assertTrue(Files.isDirectory(main), main.toAbsolutePath() + " is not the core's source");
        List<Path> sources;
        try (Stream<Path> files = Files.walk(main)) {
            sources = files.filter(p -> p.toString().endsWith(".java")).sorted().toList();
        }
        assertTrue(sources.size() >= 10, "found only " + sources + "; is the path right?");
        List<String> offences = new ArrayList<>();
        for (Path source : sources) {
            List<String> lines = Files.readAllLines(source);
            for (int i = 0; i < lines.size(); i++) {
                for (String call : FORBIDDEN) {
                    if (lines.get(i).contains(call)) {
                        offences.add(source + ":" + (i + 1) + ": " + call);
                    }
                }
            }
        }
        assertEquals(List.of(), offences);
    }
}
