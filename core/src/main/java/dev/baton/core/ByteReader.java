package dev.baton.core;

import java.nio.charset.StandardCharsets;

/**
 * The reading half of the core's canonical encoding. Reading past the end, or a negative length
 * other than the null marker, throws {@link IllegalStateException}: corrupt bytes are a bug or a
 * damaged disk, never something to guess around.
 */
public final class ByteReader {
    private final byte[] bytes;
    private int pos;

    public ByteReader(byte[] bytes) {
        this.bytes = bytes;
    }

    private void need(int n) {
        Check.state(n >= 0 && pos + n <= bytes.length, "truncated encoding");
    }

    public int u8() {
        need(1);
        return bytes[pos++] & 0xff;
    }

    public boolean bool() {
        return u8() != 0;
    }

    public int i32() {
        need(4);
        int v = 0;
        for (int i = 0; i < 4; i++) {
            v = (v << 8) | (bytes[pos++] & 0xff);
        }
        return v;
    }

    public long i64() {
        need(8);
        long v = 0;
        for (int i = 0; i < 8; i++) {
            v = (v << 8) | (bytes[pos++] & 0xff);
        }
        return v;
    }

    public String str() {
        byte[] b = blob();
        return b == null ? null : new String(b, StandardCharsets.UTF_8);
    }

    public byte[] blob() {
        int n = i32();
        if (n == -1) {
            return null;
        }
        need(n);
        byte[] b = new byte[n];
        System.arraycopy(bytes, pos, b, 0, n);
        pos += n;
        return b;
    }

    public Long optI64() {
        return u8() == 0 ? null : i64();
    }

    public Integer optI32() {
        return u8() == 0 ? null : i32();
    }

    public boolean atEnd() {
        return pos == bytes.length;
    }
}
