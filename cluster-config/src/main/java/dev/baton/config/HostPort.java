package dev.baton.config;

import java.util.Objects;

/**
 * A network address written as {@code host:port}; IPv6 hosts are written in brackets, as in
 * {@code [::1]:9070}, because their own colons would otherwise make the port ambiguous.
 */
public record HostPort(String host, int port) {

    public HostPort {
        Objects.requireNonNull(host, "host");
        if (host.isBlank()) {
            throw new IllegalArgumentException("host is empty");
        }
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("port " + port + " is out of range (1-65535)");
        }
    }

    /**
     * Parses {@code host:port}. The messages of the exceptions thrown are written to be shown to
     * an operator after the field path, so they name the offending part rather than the field.
     */
    public static HostPort parse(String text) {
        if (text == null) {
            throw new IllegalArgumentException("address is missing");
        }
        String host;
        String port;
        if (text.startsWith("[")) {
            int close = text.indexOf(']');
            if (close < 0 || !text.startsWith(":", close + 1)) {
                throw new IllegalArgumentException(
                        "\"" + text + "\" is not host:port (expected e.g. [::1]:9070)");
            }
            host = text.substring(1, close);
            port = text.substring(close + 2);
        } else {
            int colon = text.lastIndexOf(':');
            if (colon < 0) {
                throw new IllegalArgumentException("\"" + text + "\" is not host:port (no port)");
            }
            host = text.substring(0, colon);
            port = text.substring(colon + 1);
            if (host.contains(":")) {
                throw new IllegalArgumentException(
                        "\"" + text + "\" is ambiguous; put an IPv6 host in brackets: [::1]:9070");
            }
        }
        if (host.isBlank() || host.chars().anyMatch(Character::isWhitespace)) {
            throw new IllegalArgumentException("\"" + text + "\" has an empty or malformed host");
        }
        if (!port.matches("[0-9]+")) {
            throw new IllegalArgumentException("port \"" + port + "\" is not a number");
        }
        // Checking the length first keeps absurdly long digit strings from overflowing the parse.
        if (port.length() > 5 || Integer.parseInt(port) < 1 || Integer.parseInt(port) > 65535) {
            throw new IllegalArgumentException("port " + port + " is out of range (1-65535)");
        }
        return new HostPort(host, Integer.parseInt(port));
    }

    @Override
    public String toString() {
        return (host.contains(":") ? "[" + host + "]" : host) + ":" + port;
    }
}
