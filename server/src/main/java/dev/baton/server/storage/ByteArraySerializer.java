package dev.baton.server.storage;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.Comparator;
import org.mapdb.DataInput2;
import org.mapdb.serializer.SerializerByteArray;

/**
 * MapDB's {@code Serializer.BYTE_ARRAY}, same format, read from a memory-mapped store in one
 * copy per B-tree node instead of one per key.
 *
 * <p>On a memory-mapped store MapDB hands a serializer a {@link DataInput2.ByteBuffer} whose
 * {@code readFully} duplicates the whole buffer on every call, and the stock serializer calls it
 * for each key when it decodes a node: in a profile of the apply path ({@code ApplyBench} under
 * JFR) decoding keys was 35% of the time, the duplicates alone 28%, and reading each key with an
 * absolute get still 21% (a small copy out of direct memory is slow). So a node's keys are
 * found by their packed sizes, copied into the heap at once, and cut there. Searching a node
 * binary-searches its keys without copying the array first, as the stock one does.
 */
final class ByteArraySerializer extends SerializerByteArray {
    static final ByteArraySerializer INSTANCE = new ByteArraySerializer();

    private ByteArraySerializer() {
    }

    @Override
    public byte[][] valueArrayDeserialize(DataInput2 in, int size) throws IOException {
        byte[][] keys = new byte[in.unpackInt()][];
        ByteBuffer buffer = in.internalByteBuffer();
        if (buffer == null) {
            for (int i = 0; i < keys.length; i++) {
                keys[i] = deserialize(in, -1);
            }
            return keys;
        }
        // Each key is its length (MapDB's packed int: seven bits a byte, the last one's top
        // bit set) then its bytes. Note where each key lies, copy the span once, cut it up.
        int start = in.getPos();
        int[] from = new int[keys.length];
        int[] to = new int[keys.length];
        int at = start;
        for (int i = 0; i < keys.length; i++) {
            int length = 0;
            byte b;
            do {
                b = buffer.get(at++);
                length = length << 7 | b & 0x7f;
            } while ((b & 0x80) == 0);
            from[i] = at - start;
            at += length;
            to[i] = at - start;
        }
        byte[] span = new byte[at - start];
        buffer.get(start, span, 0, span.length);
        in.setPos(at);
        for (int i = 0; i < keys.length; i++) {
            keys[i] = Arrays.copyOfRange(span, from[i], to[i]);
        }
        return keys;
    }

    @Override
    @SuppressWarnings({"unchecked", "rawtypes"})
    public int valueArraySearch(Object keys, byte[] key, Comparator comparator) {
        return Arrays.binarySearch((byte[][]) keys, key, comparator);
    }
}
