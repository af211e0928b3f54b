package dev.baton.config;

import com.fasterxml.jackson.core.io.JsonStringEncoder;

/**
 * Writes a configuration as YAML that {@link ClusterConfigParser} reads back to an equal
 * {@link ClusterConfig}; {@code baton cluster init} uses it to write one file per node.
 */
public final class ClusterConfigWriter {

    private ClusterConfigWriter() {
    }

    public static String toYaml(ClusterConfig c) {
        Tuning t = c.tuning();
        StringBuilder y = new StringBuilder();
        y.append("# Baton configuration of node ").append(c.nodeId()).append(".\n")
                .append("# Every node of a cluster has the same groupId, nodes and tuning;")
                .append(" only nodeId and dataDir differ.\n")
                .append("# See cluster.example.yaml for what each key means.\n")
                .append("groupId: ").append(c.groupId()).append('\n')
                .append("nodeId: ").append(quote(c.nodeId())).append('\n')
                // Absolute, so that the file means the same thing wherever it is moved to.
                .append("dataDir: ").append(quote(c.dataDir().toAbsolutePath().toString()))
                .append('\n');
        if (c.join()) {
            y.append("join: true\n");
        }
        y.append("nodes:\n");
        for (NodeConfig n : c.nodes()) {
            y.append("  - id: ").append(quote(n.id())).append('\n')
                    .append("    raft: ").append(quote(n.raft().toString())).append('\n')
                    .append("    http: ").append(quote(n.http().toString())).append('\n');
        }
        return y.append("tuning:\n")
                .append("  electionTimeoutMinMs: ").append(t.electionTimeoutMinMs()).append('\n')
                .append("  electionTimeoutMaxMs: ").append(t.electionTimeoutMaxMs()).append('\n')
                .append("  snapshotThreshold: ").append(t.snapshotThreshold()).append('\n')
                .append("  leaseTtlMs: ").append(t.leaseTtlMs()).append('\n')
                .append("  leaseGraceMs: ").append(t.leaseGraceMs()).append('\n')
                .append("  idempotencyKeysMax: ").append(t.idempotencyKeysMax()).append('\n')
                .append("  fsync: ").append(t.fsync()).append('\n')
                .append("  logSegmentBytes: ").append(t.logSegmentBytes()).append('\n')
                .toString();
    }

    /**
     * Quotes every string, because YAML would read an unquoted id such as 123, true or null as
     * another type, and a bracketed IPv6 address as a list. A JSON string is valid YAML.
     */
    private static String quote(String s) {
        return "\"" + new String(JsonStringEncoder.getInstance().quoteAsString(s)) + "\"";
    }
}
