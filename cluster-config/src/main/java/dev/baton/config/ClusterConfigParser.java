package dev.baton.config;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.UUID;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * Reads a node's YAML configuration. The file is parsed into a tree and validated by hand rather
 * than bound to the records, because binding stops at the first mistake and loses the field path,
 * while an operator fixing a file wants every problem at once, each with where it is.
 * A key given with no value is treated as if it were absent.
 */
public final class ClusterConfigParser {

    private static final Pattern ID = Pattern.compile("^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$");
    private static final Pattern UUID_TEXT =
            Pattern.compile("^[0-9a-fA-F]{8}(-[0-9a-fA-F]{4}){3}-[0-9a-fA-F]{12}$");
    private static final Set<String> ROOT_KEYS =
            Set.of("groupId", "nodeId", "dataDir", "nodes", "tuning", "join");
    private static final Set<String> NODE_KEYS = Set.of("id", "raft", "http");
    private static final Set<String> TUNING_KEYS = Set.of("electionTimeoutMinMs",
            "electionTimeoutMaxMs", "snapshotThreshold", "leaseTtlMs", "leaseGraceMs",
            "idempotencyKeysMax", "fsync", "logSegmentBytes");
    // Without strict duplicate detection a repeated key silently wins over the first one.
    private static final YAMLMapper YAML =
            YAMLMapper.builder().enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION).build();

    private final Path baseDir;
    private final List<String> problems = new ArrayList<>();
    private boolean someIdUnknown;

    private ClusterConfigParser(Path baseDir) {
        this.baseDir = baseDir;
    }

    /** Reads a file; a relative dataDir is resolved against the directory holding the file. */
    public static ClusterConfig parse(Path file) throws ConfigException {
        String yaml;
        try {
            yaml = Files.readString(file);
        } catch (NoSuchFileException e) {
            throw new ConfigException(file.toString(), List.of("file not found"));
        } catch (IOException e) {
            throw new ConfigException(file.toString(), List.of("cannot read file: " + e));
        }
        try {
            return parse(yaml, file.toAbsolutePath().getParent());
        } catch (ConfigException e) {
            throw new ConfigException(file.toString(), e.problems());
        }
    }

    /** Parses YAML text; a relative dataDir is resolved against baseDir. */
    public static ClusterConfig parse(String yaml, Path baseDir) throws ConfigException {
        Objects.requireNonNull(baseDir, "baseDir");
        JsonNode root;
        try {
            root = YAML.readTree(yaml);
        } catch (JsonProcessingException e) {
            throw new ConfigException(null, List.of(syntaxProblem(e)));
        }
        return new ClusterConfigParser(baseDir).validate(root);
    }

    private static String syntaxProblem(JsonProcessingException e) {
        // SnakeYAML's messages interleave what went wrong with indented lines that repeat the
        // location and quote the source; only the former are kept, as the location comes after.
        String message = String.valueOf(e.getOriginalMessage()).lines()
                .filter(line -> !line.isBlank() && !Character.isWhitespace(line.charAt(0)))
                .collect(Collectors.joining("; "));
        JsonLocation at = e.getLocation();
        return at == null || at.getLineNr() < 1
                ? "invalid YAML: " + message
                : "line " + at.getLineNr() + ", column " + at.getColumnNr() + ": invalid YAML: "
                        + message;
    }

    private ClusterConfig validate(JsonNode root) throws ConfigException {
        if (root == null || root.isMissingNode() || root.isNull()) {
            throw new ConfigException(null, List.of("the configuration is empty"));
        }
        if (!root.isObject()) {
            throw new ConfigException(null, List.of("the configuration must be a mapping of keys"));
        }
        unknownKeys(root, "", ROOT_KEYS);
        UUID groupId = groupId(root);
        String nodeId = id(root, "", "nodeId");
        Path dataDir = dataDir(root);
        Set<String> ids = new LinkedHashSet<>();
        List<NodeConfig> nodes = nodes(root.get("nodes"), ids);
        Tuning tuning = tuning(root.get("tuning"));
        boolean join = false;
        JsonNode j = root.get("join");
        if (j != null && !j.isNull()) {
            if (j.isBoolean()) {
                join = j.booleanValue();
            } else {
                problem("join", "must be true or false");
            }
        }
        // Membership is only checked against a complete list, so one mistake is not reported twice.
        if (nodeId != null && !someIdUnknown && !ids.isEmpty() && !ids.contains(nodeId)) {
            problem("nodeId", quote(nodeId) + " is not one of the nodes ("
                    + String.join(", ", ids) + ")");
        }
        if (!problems.isEmpty()) {
            throw new ConfigException(null, problems);
        }
        return new ClusterConfig(groupId, nodeId, dataDir, nodes, tuning, join);
    }

    private UUID groupId(JsonNode root) {
        String text = text(root, "", "groupId");
        if (text == null) {
            return null;
        }
        if (!UUID_TEXT.matcher(text).matches()) {
            problem("groupId", quote(text) + " is not a UUID");
            return null;
        }
        return UUID.fromString(text);
    }

    private Path dataDir(JsonNode root) {
        String text = text(root, "", "dataDir");
        if (text == null) {
            return null;
        }
        if (text.isBlank()) {
            problem("dataDir", "must not be empty");
            return null;
        }
        try {
            return baseDir.resolve(text).toAbsolutePath().normalize();
        } catch (InvalidPathException e) {
            problem("dataDir", quote(text) + " is not a valid path");
            return null;
        }
    }

    private List<NodeConfig> nodes(JsonNode list, Set<String> ids) {
        List<NodeConfig> nodes = new ArrayList<>();
        if (list == null || list.isNull()) {
            problem("nodes", "required");
            return nodes;
        }
        if (!list.isArray() || list.isEmpty()) {
            problem("nodes", "must be a non-empty list of nodes");
            return nodes;
        }
        // Every address must be unique across the cluster, whichever node and kind it belongs to,
        // as two listeners cannot bind one address, and a peer could not tell them apart.
        Map<HostPort, String> usedBy = new HashMap<>();
        for (int i = 0; i < list.size(); i++) {
            String at = "nodes[" + i + "]";
            JsonNode node = list.get(i);
            if (!node.isObject()) {
                problem(at, "must be a mapping with id, raft and http");
                someIdUnknown = true;
                continue;
            }
            unknownKeys(node, at, NODE_KEYS);
            String id = id(node, at, "id");
            someIdUnknown |= id == null;
            if (id != null && !ids.add(id)) {
                problem(at + ".id", "duplicate id " + quote(id));
                id = null;
            }
            HostPort raft = address(node, at, "raft", usedBy);
            HostPort http = address(node, at, "http", usedBy);
            if (id != null && raft != null && http != null) {
                nodes.add(new NodeConfig(id, raft, http));
            }
        }
        return nodes;
    }

    private HostPort address(JsonNode node, String at, String key, Map<HostPort, String> usedBy) {
        String text = text(node, at, key);
        if (text == null) {
            return null;
        }
        String path = at + "." + key;
        try {
            HostPort address = HostPort.parse(text);
            String previous = usedBy.putIfAbsent(address, path);
            if (previous != null) {
                problem(path, address + " is already used by " + previous);
            }
            return address;
        } catch (IllegalArgumentException e) {
            problem(path, e.getMessage());
            return null;
        }
    }

    private Tuning tuning(JsonNode block) {
        Tuning d = Tuning.defaults();
        if (block == null || block.isNull()) {
            return d;
        }
        if (!block.isObject()) {
            problem("tuning", "must be a mapping");
            return d;
        }
        unknownKeys(block, "tuning", TUNING_KEYS);
        Long min = integer(block, "electionTimeoutMinMs", d.electionTimeoutMinMs(), 100, 0);
        Long max = integer(block, "electionTimeoutMaxMs", d.electionTimeoutMaxMs(), 1, 0);
        Long snapshot = integer(block, "snapshotThreshold", d.snapshotThreshold(), 1, 0);
        Long ttl = integer(block, "leaseTtlMs", d.leaseTtlMs(), 1000, 3_600_000);
        Long grace = integer(block, "leaseGraceMs", d.leaseGraceMs(), 0, 3_600_000);
        Long keys = integer(block, "idempotencyKeysMax", d.idempotencyKeysMax(), 1, 0);
        Long segment = integer(block, "logSegmentBytes", d.logSegmentBytes(), 64 * 1024,
                1024L * 1024 * 1024);
        boolean fsync = d.fsync();
        JsonNode f = block.get("fsync");
        if (f != null && !f.isNull()) {
            if (f.isBoolean()) {
                fsync = f.booleanValue();
            } else {
                problem("tuning.fsync", "must be true or false");
            }
        }
        if (min != null && max != null && max <= min) {
            problem("tuning.electionTimeoutMaxMs",
                    max + " must be greater than electionTimeoutMinMs (" + min + ")");
        }
        if (min == null || max == null || snapshot == null || ttl == null || grace == null
                || keys == null || segment == null) {
            return d; // A problem was noted, so the caller throws and never uses this.
        }
        return new Tuning(min, max, snapshot, ttl, grace, keys, fsync, segment);
    }

    /** Reads an optional integer in [min, max], where max 0 means unbounded; null if invalid. */
    private Long integer(JsonNode block, String key, long dflt, long min, long max) {
        String path = "tuning." + key;
        JsonNode v = block.get(key);
        if (v == null || v.isNull()) {
            return dflt;
        }
        // A quoted "1000" or a 1000.0 is rejected rather than coerced, as it is usually a slip.
        if (!v.isIntegralNumber()) {
            problem(path, "must be an integer");
            return null;
        }
        boolean fits = v.canConvertToLong() && v.longValue() >= min
                && (max == 0 || v.longValue() <= max);
        if (!fits) {
            problem(path, v.asText() + (max == 0
                    ? " must be at least " + min
                    : " is out of range (" + min + "-" + max + ")"));
            return null;
        }
        return v.longValue();
    }

    private String id(JsonNode node, String at, String key) {
        String text = text(node, at, key);
        if (text != null && !ID.matcher(text).matches()) {
            problem(path(at, key), quote(text) + " is not a valid id (1-64 letters, digits, '_' or"
                    + " '-', starting with a letter or digit)");
            return null;
        }
        return text;
    }

    /** Reads a required string, noting a problem and returning null if absent or not text. */
    private String text(JsonNode node, String at, String key) {
        JsonNode v = node.get(key);
        if (v == null || v.isNull()) {
            problem(path(at, key), "required");
            return null;
        }
        if (!v.isTextual()) {
            problem(path(at, key), "must be a string");
            return null;
        }
        return v.textValue();
    }

    private void unknownKeys(JsonNode node, String at, Set<String> known) {
        node.fieldNames().forEachRemaining(key -> {
            if (!known.contains(key)) {
                problem(path(at, key), "unknown field");
            }
        });
    }

    private void problem(String path, String message) {
        problems.add(path + ": " + message);
    }

    private static String path(String at, String key) {
        return at.isEmpty() ? key : at + "." + key;
    }

    private static String quote(String text) {
        return "\"" + text + "\"";
    }
}
