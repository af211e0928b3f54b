package dev.baton.server.http;

import io.netty.handler.codec.http.QueryStringDecoder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** What a route needs of an HTTP request: method, path segments, query, key header, body. */
record Request(String method, List<String> segments, Map<String, List<String>> query,
               String idempotencyKey, String lastEventId, byte[] body) {

    static Request of(String method, String uri, String idempotencyKey, String lastEventId,
                      byte[] body) {
        QueryStringDecoder decoder = new QueryStringDecoder(uri);
        try {
            // Split the raw path before decoding, so that an agent name with an encoded slash
            // (agent%2F7) stays one segment.
            List<String> segments = java.util.Arrays.stream(decoder.rawPath().split("/"))
                    .filter(s -> !s.isEmpty())
                    .map(s -> QueryStringDecoder.decodeComponent(s, StandardCharsets.UTF_8))
                    .toList();
            return new Request(method, segments, decoder.parameters(), idempotencyKey,
                    lastEventId, body);
        } catch (IllegalArgumentException e) {
            // Netty's decoder refuses a bad escape ("%ZZ", a trailing "%").
            throw ApiException.invalid("the URL is not valid percent-encoding: "
                    + e.getMessage());
        }
    }

    /** Refuses query parameters the route does not know, as unknown body fields are refused. */
    void allowQuery(Set<String> allowed) {
        for (String name : query.keySet()) {
            if (!allowed.contains(name)) {
                throw ApiException.invalid("unknown query parameter \"" + name + "\"");
            }
        }
    }

    /** The single value of a query parameter, or null. */
    String param(String name) {
        List<String> values = query.get(name);
        if (values == null || values.isEmpty()) {
            return null;
        }
        if (values.size() > 1) {
            throw ApiException.invalid("query parameter " + name + " is given more than once");
        }
        return values.get(0);
    }

    List<String> params(String name) {
        return query.getOrDefault(name, List.of());
    }

    boolean stale() {
        String consistency = param("consistency");
        if (consistency == null || consistency.equals("linearizable")) {
            return false;
        }
        if (consistency.equals("stale")) {
            return true;
        }
        throw ApiException.invalid("consistency must be linearizable or stale");
    }
}
