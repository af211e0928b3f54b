package dev.baton.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ClusterConfigParserTest {

    private static final Path BASE = Path.of("/etc/baton");

    private static final String VALID = """
            groupId: 02511d47-d67c-49a3-9011-abb3109a44c1
            nodeId: n2
            dataDir: data/n2
            nodes:
              - id: n1
                raft: 127.0.0.1:9070
                http: 127.0.0.1:7070
              - id: n2
                raft: 127.0.0.1:9071
                http: 127.0.0.1:7071
              - id: n3
                raft: 127.0.0.1:9072
                http: 127.0.0.1:7072
            """;

    private static List<String> problems(String yaml) {
        return assertThrows(ConfigException.class, () -> ClusterConfigParser.parse(yaml, BASE))
                .problems();
    }

    @Test
    void parsesAValidFileAndAppliesTheTuningDefaults() throws ConfigException {
        ClusterConfig c = ClusterConfigParser.parse(VALID, BASE);
        assertEquals(UUID.fromString("02511d47-d67c-49a3-9011-abb3109a44c1"), c.groupId());
        assertEquals("n2", c.nodeId());
        assertEquals(3, c.nodes().size());
        assertEquals(new NodeConfig("n2", new HostPort("127.0.0.1", 9071),
                new HostPort("127.0.0.1", 7071)), c.self());
        assertEquals(9072, c.node("n3").orElseThrow().raft().port());
        assertTrue(c.node("n9").isEmpty());
        assertEquals(Tuning.defaults(), c.tuning());
    }

    @Test
    void readsEveryTuningKeyThatIsGiven() throws ConfigException {
        ClusterConfig c = ClusterConfigParser.parse(VALID + """
                tuning:
                  electionTimeoutMinMs: 150
                  electionTimeoutMaxMs: 300
                  snapshotThreshold: 10
                  leaseTtlMs: 1000
                  leaseGraceMs: 0
                  idempotencyKeysMax: 5
                  fsync: false
                """, BASE);
        assertEquals(new Tuning(150, 300, 10, 1000, 0, 5, false, 8L * 1024 * 1024), c.tuning());
    }

    @Test
    void resolvesARelativeDataDirAgainstTheDirectoryOfTheFile(@TempDir Path dir)
            throws Exception {
        Path file = Files.createDirectories(dir.resolve("conf")).resolve("n2.yaml");
        Files.writeString(file, VALID.replace("dataDir: data/n2", "dataDir: ../data/./n2"));
        assertEquals(dir.resolve("data/n2").toAbsolutePath().normalize(),
                ClusterConfigParser.parse(file).dataDir());
    }

    @Test
    void keepsAnAbsoluteDataDirAsItIs() throws ConfigException {
        ClusterConfig c = ClusterConfigParser.parse(
                VALID.replace("dataDir: data/n2", "dataDir: /var/lib/baton/n2"), BASE);
        assertEquals(Path.of("/var/lib/baton/n2"), c.dataDir());
    }

    @Test
    void reportsEveryProblemWithItsFieldPath() {
        List<String> problems = problems("""
                groupId: abc
                nodeId: n9
                nodes:
                  - id: n1
                    raft: 127.0.0.1:9070
                    http: 127.0.0.1:7070
                  - id: n2
                    raft: 127.0.0.1
                    http: 127.0.0.1:7071
                  - id: n3
                    raft: 127.0.0.1:9072
                    http: 127.0.0.1:70000
                tuning:
                  electionTimeoutMinMs: 50
                  leaseTtlMs: 10
                """);
        assertEquals(List.of(
                "groupId: \"abc\" is not a UUID",
                "dataDir: required",
                "nodes[1].raft: \"127.0.0.1\" is not host:port (no port)",
                "nodes[2].http: port 70000 is out of range (1-65535)",
                "tuning.electionTimeoutMinMs: 50 must be at least 100",
                "tuning.leaseTtlMs: 10 is out of range (1000-3600000)",
                "nodeId: \"n9\" is not one of the nodes (n1, n2, n3)"), problems);
    }

    @Test
    void prefixesEveryProblemWithTheFileNameWhenReadingAFile(@TempDir Path dir)
            throws Exception {
        Path file = dir.resolve("n2.yaml");
        Files.writeString(file, VALID.replace("groupId: 02511d47-d67c-49a3-9011-abb3109a44c1\n",
                "groupId: nope\n").replace("nodeId: n2", "nodeId: n7"));
        ConfigException e = assertThrows(ConfigException.class,
                () -> ClusterConfigParser.parse(file));
        assertEquals(file + ": groupId: \"nope\" is not a UUID\n"
                + file + ": nodeId: \"n7\" is not one of the nodes (n1, n2, n3)", e.getMessage());
        assertEquals(2, e.problems().size());
    }

    @Test
    void reportsAMissingFile(@TempDir Path dir) {
        Path file = dir.resolve("absent.yaml");
        ConfigException e = assertThrows(ConfigException.class,
                () -> ClusterConfigParser.parse(file));
        assertEquals(file + ": file not found", e.getMessage());
    }

    @Test
    void reportsUnknownFieldsAtEveryLevel() {
        List<String> problems = problems(VALID.replace("  - id: n3\n", "  - id: n3\n    zone: a\n")
                + "colour: blue\ntuning:\n  electionTimoutMinMs: 500\n");
        assertEquals(List.of("colour: unknown field", "nodes[2].zone: unknown field",
                "tuning.electionTimoutMinMs: unknown field"), problems);
    }

    @Test
    void reportsEveryRequiredFieldThatIsMissing() {
        assertEquals(List.of("groupId: required", "nodeId: required", "dataDir: required",
                "nodes: required"), problems("tuning: {}\n"));
        assertEquals(List.of("nodes[0].id: required", "nodes[0].raft: required",
                "nodes[0].http: required"), problems(VALID.replaceAll("(?s)nodes:.*", "")
                + "nodes:\n  - {}\n"));
    }

    @Test
    void reportsValuesOfTheWrongType() {
        List<String> problems = problems("""
                groupId: [1]
                nodeId: 7
                dataDir: {a: b}
                nodes: 5
                tuning:
                  electionTimeoutMinMs: "1000"
                  electionTimeoutMaxMs: 2000.5
                  snapshotThreshold: lots
                  leaseTtlMs: 99999999999999999999999
                  fsync: "yes"
                """);
        assertEquals(List.of(
                "groupId: must be a string",
                "nodeId: must be a string",
                "dataDir: must be a string",
                "nodes: must be a non-empty list of nodes",
                "tuning.electionTimeoutMinMs: must be an integer",
                "tuning.electionTimeoutMaxMs: must be an integer",
                "tuning.snapshotThreshold: must be an integer",
                "tuning.leaseTtlMs: 99999999999999999999999 is out of range (1000-3600000)",
                "tuning.fsync: must be true or false"), problems);
        assertEquals(List.of("tuning: must be a mapping"), problems(VALID + "tuning: fast\n"));
        assertEquals(List.of("nodes[0]: must be a mapping with id, raft and http"),
                problems(VALID.replaceAll("(?s)nodes:.*", "") + "nodes: [n1]\n"));
    }

    @Test
    void reportsDuplicateIdsAndSharedAddresses() {
        List<String> problems = problems(VALID
                .replace("id: n3", "id: n1")
                .replace("http: 127.0.0.1:7071", "http: 127.0.0.1:7070")
                .replace("raft: 127.0.0.1:9072", "raft: 127.0.0.1:7072"));
        assertEquals(List.of(
                "nodes[1].http: 127.0.0.1:7070 is already used by nodes[0].http",
                "nodes[2].id: duplicate id \"n1\"",
                "nodes[2].http: 127.0.0.1:7072 is already used by nodes[2].raft"), problems);
    }

    @Test
    void checksTheElectionTimeoutsAgainstEachOther() {
        // Against the default minimum (250) when only the maximum is given.
        assertEquals(List.of("tuning.electionTimeoutMaxMs: 250 must be greater than"
                + " electionTimeoutMinMs (250)"),
                problems(VALID + "tuning:\n  electionTimeoutMaxMs: 250\n"));
        assertEquals(List.of("tuning.electionTimeoutMaxMs: 400 must be greater than"
                + " electionTimeoutMinMs (500)"),
                problems(VALID + "tuning: {electionTimeoutMinMs: 500, electionTimeoutMaxMs: 400}"));
    }

    @Test
    void rejectsMalformedIdsAndAnEmptyNodeList() {
        assertEquals(List.of("nodeId: \"-n1\" is not a valid id (1-64 letters, digits, '_' or '-',"
                + " starting with a letter or digit)"), problems(VALID.replace("nodeId: n2",
                "nodeId: \"-n1\"")));
        assertEquals(List.of("nodes: must be a non-empty list of nodes"),
                problems(VALID.replaceAll("(?s)nodes:.*", "") + "nodes: []\n"));
    }

    @Test
    void reportsASyntaxErrorWithItsLineAndColumn() {
        assertEquals(List.of("line 3, column 7: invalid YAML: while parsing a flow sequence;"
                + " expected ',' or ']', but got :"),
                problems("groupId: x\nnodes: [a, b\nnodeId: n1\n"));
    }

    @Test
    void reportsADuplicateKeyInsteadOfLettingTheLastOneWin() {
        assertEquals(List.of("line 14, column 7: invalid YAML: Duplicate field 'nodeId'"),
                problems(VALID + "nodeId: n1\n"));
    }

    @Test
    void rejectsAnEmptyFileAndARootThatIsNotAMapping() {
        assertEquals(List.of("the configuration is empty"), problems(""));
        assertEquals(List.of("the configuration must be a mapping of keys"), problems("- a\n"));
    }

    @Test
    void parsesTheExampleFile() throws ConfigException {
        Path example = Path.of("cluster.example.yaml").toAbsolutePath();
        ClusterConfig c = ClusterConfigParser.parse(example);
        assertEquals("n1", c.nodeId());
        assertEquals(List.of("n1", "n2", "n3"), c.nodes().stream().map(NodeConfig::id).toList());
        assertEquals(example.getParent().resolve("data/n1"), c.dataDir());
        assertEquals(Tuning.defaults(), c.tuning());
    }
}
