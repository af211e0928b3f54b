package dev.baton.server.storage;

import java.io.BufferedOutputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
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
    /**
     * The layout of the store's tables, not only of this file: 2 since the idempotency table
     * holds one record per log entry (version 1 held one per key and an order table).
     */
    private static final int VERSION = 2;

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
        try (FileChannel channel = FileChannel.open(source, StandardOpenOption.READ)) {
            Input in = new Input(channel, source);
            byte[] magic = in.bytes(MAGIC.length);
            if (!java.util.Arrays.equals(magic, MAGIC)) {
                throw new IOException(source + " is not a Baton snapshot");
            }
            int version = in.i32();
            if (version != VERSION) {
                throw new IOException(source + " has snapshot version " + version
                        + "; this build reads version " + VERSION);
            }
            Position at = new Position(in.i64(), in.i64());
            long count = 0;
            while (in.u8() == 1) {
                String key = in.utf8(in.i32());
                into.accept(key, in.bytes(in.i32()));
                count++;
            }
            long expected = in.i64();
            if (expected != count) {
                throw new IOException(source + " holds " + count + " entries; its trailer says "
                        + expected);
            }
            return at;
        }
    }

    /**
     * The file through one large buffer, refilled as it empties: a restart reads millions of
     * small fields, and a {@code DataInputStream} over a {@code BufferedInputStream} took a
     * quarter of a snapshot load in a profile ({@code SnapshotBench}, docs/PERFORMANCE.md).
     */
    private static final class Input {
        private final FileChannel channel;
        private final Path source;
        private final ByteBuffer buffer = ByteBuffer.allocate(1 << 20).flip();

        Input(FileChannel channel, Path source) {
            this.channel = channel;
            this.source = source;
        }

        /** Makes sure that {@code n} bytes (at most the buffer's size) can be read. */
        private void need(int n) throws IOException {
            if (buffer.remaining() >= n) {
                return;
            }
            buffer.compact();
            while (buffer.position() < n) {
                if (channel.read(buffer) < 0) {
                    throw new EOFException(source + " ends inside an entry");
                }
            }
            buffer.flip();
        }

        int u8() throws IOException {
            need(1);
            return buffer.get() & 0xff;
        }

        int i32() throws IOException {
            need(4);
            return buffer.getInt();
        }

        long i64() throws IOException {
            need(8);
            return buffer.getLong();
        }

        byte[] bytes(int length) throws IOException {
            if (length < 0) {
                throw new IOException(source + " has an entry of negative length");
            }
            byte[] bytes = new byte[length];
            int at = 0;
            while (at < length) {
                need(Math.min(length - at, buffer.capacity()));
                int n = Math.min(length - at, buffer.remaining());
                buffer.get(bytes, at, n);
                at += n;
            }
            return bytes;
        }

        String utf8(int length) throws IOException {
            if (length < 0 || length > buffer.capacity()) {
                return new String(bytes(length), StandardCharsets.UTF_8);
            }
            need(length);
            String s = new String(buffer.array(), buffer.arrayOffset() + buffer.position(), length,
                    StandardCharsets.UTF_8);
            buffer.position(buffer.position() + length);
            return s;
        }
    }
}
