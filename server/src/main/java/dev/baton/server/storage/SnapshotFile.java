package dev.baton.server.storage;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Iterator;
import java.util.Map;
import java.util.function.BiConsumer;

/**
 * A snapshot of the whole store: a header, then every entry in key order, then an end marker
 * with the entry count. The store's contents are canonical, so two replicas at the same index
 * write identical files. Written to a temporary file and moved into place, so a crash never
 * leaves a half-written snapshot under the final name.
 *
 * <pre>
 * "BATONSNP" version:int term:long index:long
 * (1:byte keyLength:int key valueLength:int value)*
 * 0:byte count:long
 * </pre>
 */
public final class SnapshotFile {
    private SnapshotFile() {
    }

    private static final byte[] MAGIC = "BATONSNP".getBytes(StandardCharsets.US_ASCII);
    private static final int VERSION = 1;

    /** Where a snapshot stands in the log. */
    public record Position(long term, long index) {
    }

    /** Writes every entry of {@code entries}, fsyncs, and atomically moves the file to target. */
    public static void write(Path target, Position at, Iterator<Map.Entry<String, byte[]>> entries)
            throws IOException {
        Path tmp = target.resolveSibling(target.getFileName() + ".tmp");
        try (OutputStream file = Files.newOutputStream(tmp);
             DataOutputStream out = new DataOutputStream(new BufferedOutputStream(file, 1 << 16))) {
            out.write(MAGIC);
            out.writeInt(VERSION);
            out.writeLong(at.term());
            out.writeLong(at.index());
            long count = 0;
            while (entries.hasNext()) {
                Map.Entry<String, byte[]> e = entries.next();
                byte[] key = e.getKey().getBytes(StandardCharsets.UTF_8);
                out.writeByte(1);
                out.writeInt(key.length);
                out.write(key);
                out.writeInt(e.getValue().length);
                out.write(e.getValue());
                count++;
            }
            out.writeByte(0);
            out.writeLong(count);
            out.flush();
        }
        // The rename below must not become visible before the bytes it names are durable.
        try (var channel = java.nio.channels.FileChannel.open(tmp,
                java.nio.file.StandardOpenOption.WRITE)) {
            channel.force(true);
        }
        Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    /**
     * Hands every entry of a snapshot, in key order, to {@code into} (an empty store's
     * {@code put}, or a loader that builds one) and returns the snapshot's position.
     */
    public static Position read(Path source, BiConsumer<String, byte[]> into)
            throws IOException {
        try (InputStream file = Files.newInputStream(source);
             DataInputStream in = new DataInputStream(new BufferedInputStream(file, 1 << 16))) {
            byte[] magic = in.readNBytes(MAGIC.length);
            if (!java.util.Arrays.equals(magic, MAGIC)) {
                throw new IOException(source + " is not a Baton snapshot");
            }
            int version = in.readInt();
            if (version != VERSION) {
                throw new IOException(source + " has snapshot version " + version
                        + "; this build reads version " + VERSION);
            }
            Position at = new Position(in.readLong(), in.readLong());
            long count = 0;
            while (in.readByte() == 1) {
                String key = new String(in.readNBytes(in.readInt()), StandardCharsets.UTF_8);
                int length = in.readInt();
                byte[] value = in.readNBytes(length);
                if (value.length != length) {
                    throw new EOFException(source + " ends inside an entry");
                }
                into.accept(key, value);
                count++;
            }
            long expected = in.readLong();
            if (expected != count) {
                throw new IOException(source + " holds " + count + " entries; its trailer says "
                        + expected);
            }
            return at;
        }
    }
}
