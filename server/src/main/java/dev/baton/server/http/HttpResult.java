package dev.baton.server.http;

import java.util.Map;

/** A status, a JSON body and extra headers: what a route answers. */
record HttpResult(int status, byte[] body, Map<String, String> headers) {
    HttpResult(int status, byte[] body) {
        this(status, body, Map.of());
    }
}
