package dev.baton.server.http;

import java.util.Map;

/**
 * What a route answers: a status, a JSON body and extra headers; or, for a stream, the code that
 * takes the connection over ({@code stream} not null; the other fields unused).
 */
record HttpResult(int status, byte[] body, Map<String, String> headers,
                  java.util.function.Consumer<io.netty.channel.ChannelHandlerContext> stream) {
    HttpResult(int status, byte[] body) {
        this(status, body, Map.of(), null);
    }

    HttpResult(int status, byte[] body, Map<String, String> headers) {
        this(status, body, headers, null);
    }

    static HttpResult streaming(
            java.util.function.Consumer<io.netty.channel.ChannelHandlerContext> stream) {
        return new HttpResult(200, new byte[0], Map.of(), stream);
    }
}
