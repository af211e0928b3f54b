package dev.baton.client.cli;

import java.nio.charset.StandardCharsets;

/**
 * Cutting text to the API's limit of UTF-8 bytes ({@code result}, {@code failure}: 64 KiB)
 * without splitting a character: {@link #head} keeps the beginning (a command's output),
 * {@link #tail} the end (the last words of its stderr).
 */
final class Utf8 {
    /** The API's limit on description, result and failure, in UTF-8 bytes. */
    static final int TEXT_BYTES_MAX = 64 * 1024;

    private Utf8() {
    }

    /** The longest beginning of the bytes, decoded, that fits in {@code maxBytes}. */
    static String head(byte[] bytes, int length, int maxBytes) {
        int end = length;
        if (end > maxBytes) {
            end = maxBytes;
            while (end > 0 && isContinuation(bytes[end])) {
                end--;
            }
        }
        return head(new String(bytes, 0, end, StandardCharsets.UTF_8), maxBytes);
    }

    /** The longest end of the bytes, decoded, that fits in {@code maxBytes}. */
    static String tail(byte[] bytes, int length, int maxBytes) {
        int start = 0;
        if (length > maxBytes) {
            start = length - maxBytes;
            while (start < length && isContinuation(bytes[start])) {
                start++;
            }
        }
        return tail(new String(bytes, start, length - start, StandardCharsets.UTF_8), maxBytes);
    }

    /** The longest beginning of the text whose UTF-8 form fits in {@code maxBytes}. */
    static String head(String text, int maxBytes) {
        int bytes = 0;
        int i = 0;
        while (i < text.length()) {
            int cp = text.codePointAt(i);
            int size = size(cp);
            if (bytes + size > maxBytes) {
                break;
            }
            bytes += size;
            i += Character.charCount(cp);
        }
        return text.substring(0, i);
    }

    /** The longest end of the text whose UTF-8 form fits in {@code maxBytes}. */
    static String tail(String text, int maxBytes) {
        int bytes = 0;
        int i = text.length();
        while (i > 0) {
            int cp = text.codePointBefore(i);
            int size = size(cp);
            if (bytes + size > maxBytes) {
                break;
            }
            bytes += size;
            i -= Character.charCount(cp);
        }
        return text.substring(i);
    }

    private static boolean isContinuation(byte b) {
        return (b & 0xC0) == 0x80;
    }

    private static int size(int codePoint) {
        if (codePoint < 0x80) {
            return 1;
        }
        if (codePoint < 0x800) {
            return 2;
        }
        if (codePoint < 0x10000) {
            return 3;
        }
        return 4;
    }
}
