package dev.baton.core;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/** A growable big-endian byte buffer: the writing half of the core's canonical encoding. */
public final class ByteWriter {
    private byte[] bytes;
    private int size;

    public ByteWriter() {
        this(64);
    }

    public ByteWriter(int capacity) {
        bytes = new byte[capacity];
    }

    private void ensure(int more) {
        if (size + more > bytes.length) {
            bytes = Arrays.copyOf(bytes, Math.max(bytes.length * 2, size + more));
        }
    }

    public ByteWriter u8(int v) {
        ensure(1);
        bytes[size++] = (byte) v;
        return this;
    }

    public ByteWriter bool(boolean v) {
        return u8(v ? 1 : 0);
    }

    public ByteWriter i32(int v) {
        ensure(4);
        for (int shift = 24; shift >= 0; shift -= 8) {
            bytes[size++] = (byte) (v >>> shift);
        }
        return this;
    }

    public ByteWriter i64(long v) {
        ensure(8);
        for (int shift = 56; shift >= 0; shift -= 8) {
            bytes[size++] = (byte) (v >>> shift);
        }
        return this;
    }

    /** A string as its UTF-8 length and bytes; null is written as length -1. */
    public ByteWriter str(String s) {
        if (s == null) {
            return i32(-1);
        }
        return blob(s.getBytes(StandardCharsets.UTF_8));
    }

    /** Bytes with their length; null is written as length -1. */
    public ByteWriter blob(byte[] b) {
        if (b == null) {
            return i32(-1);
        }
        i32(b.length);
        ensure(b.length);
        System.arraycopy(b, 0, bytes, size, b.length);
        size += b.length;
        return this;
    }

    /** Bytes as they are, no length: for values that were encoded by this class already. */
    public ByteWriter raw(byte[] b) {
        ensure(b.length);
        System.arraycopy(b, 0, bytes, size, b.length);
        size += b.length;
        return this;
    }

    /** A nullable long: a presence byte, then the value. */
    public ByteWriter optI64(Long v) {
        if (v == null) {
            return u8(0);
        }
        return u8(1).i64(v);
    }

    public ByteWriter optI32(Integer v) {
        if (v == null) {
            return u8(0);
        }
        return u8(1).i32(v);
    }

    public byte[] toByteArray() {
        return Arrays.copyOf(bytes, size);
    }
}
