package dev.baton.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class ClusterConfigWriterTest {

    @Test
    void writesYamlThatReadsBackToAnEqualConfig() throws ConfigException {
        ClusterConfig original = new ClusterConfig(UUID.randomUUID(), "n2",
                Path.of("/var/lib/baton/data \"n2\""), List.of(
                        new NodeConfig("n1", HostPort.parse("127.0.0.1:9070"),
                                HostPort.parse("127.0.0.1:7070")),
                        new NodeConfig("n2", HostPort.parse("[::1]:9071"),
                                HostPort.parse("[::1]:7071")),
                        // Ids that YAML would read as other types unless they are quoted.
                        new NodeConfig("123", HostPort.parse("node-3.example:9070"),
                                HostPort.parse("node-3.example:7070")),
                        new NodeConfig("true", HostPort.parse("10.0.0.4:9070"),
                                HostPort.parse("10.0.0.4:7070"))),
                new Tuning(250, 750, 42, 2000, 0, 7, false, 1 << 20));
        String yaml = ClusterConfigWriter.toYaml(original);
        assertTrue(yaml.startsWith("#"), yaml);
        assertEquals(original, ClusterConfigParser.parse(yaml, Path.of("/elsewhere")));
    }

    @Test
    void writesTheDefaultTuningOfAParsedExampleBackUnchanged() throws ConfigException {
        ClusterConfig example = ClusterConfigParser.parse(Path.of("cluster.example.yaml"));
        String yaml = ClusterConfigWriter.toYaml(example);
        assertEquals(example, ClusterConfigParser.parse(yaml, Path.of("/elsewhere")));
    }
}
