package dev.baton.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class HostPortTest {

    private static String problem(String text) {
        return assertThrows(IllegalArgumentException.class, () -> HostPort.parse(text))
                .getMessage();
    }

    @Test
    void parsesHostAndPortAndPrintsThemBackTheSameWay() {
        assertEquals(new HostPort("127.0.0.1", 9070), HostPort.parse("127.0.0.1:9070"));
        assertEquals("db.example:1", HostPort.parse("db.example:1").toString());
        assertEquals(new HostPort("::1", 65535), HostPort.parse("[::1]:65535"));
        assertEquals("[::1]:65535", HostPort.parse("[::1]:65535").toString());
    }

    @Test
    void explainsWhatIsWrongWithAMalformedAddress() {
        assertEquals("port 70000 is out of range (1-65535)", problem("h:70000"));
        assertEquals("port 0 is out of range (1-65535)", problem("h:0"));
        assertEquals("port 99999999999999999999 is out of range (1-65535)",
                problem("h:99999999999999999999"));
        assertEquals("port \"x\" is not a number", problem("h:x"));
        assertEquals("port \"-1\" is not a number", problem("h:-1"));
        assertEquals("\"h\" is not host:port (no port)", problem("h"));
        assertEquals("\":80\" has an empty or malformed host", problem(":80"));
        assertEquals("\"::1:80\" is ambiguous; put an IPv6 host in brackets: [::1]:9070",
                problem("::1:80"));
        assertEquals("\"[::1\" is not host:port (expected e.g. [::1]:9070)", problem("[::1"));
    }
}
