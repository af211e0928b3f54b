package dev.baton.server.http;

import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import java.util.Map;

/**
 * Netty's aggregator with the contract's answer to an oversized body: 413 with a
 * {@code too_large} error body. On a keep-alive connection the rest of the body is read and
 * discarded and the connection stays open: closing while the client is still sending makes the
 * kernel reset the connection, which can destroy the 413 before the client reads it.
 */
final class BodyLimit extends HttpObjectAggregator {
    BodyLimit(int maxBytes) {
        super(maxBytes);
    }

    @Override
    protected void handleOversizedMessage(ChannelHandlerContext ctx, HttpMessage oversized) {
        boolean keepAlive = HttpUtil.isKeepAlive(oversized)
                && !HttpUtil.is100ContinueExpected(oversized);
        var written = ctx.writeAndFlush(tooLarge(keepAlive));
        if (!keepAlive) {
            written.addListener(ChannelFutureListener.CLOSE);
        }
    }

    /** A client that sent {@code Expect: 100-continue} with a large length is told the same. */
    @Override
    protected Object newContinueResponse(HttpMessage start, int maxContentLength,
                                         ChannelPipeline pipeline) {
        Object response = super.newContinueResponse(start, maxContentLength, pipeline);
        if (response instanceof FullHttpResponse r
                && r.status().equals(HttpResponseStatus.REQUEST_ENTITY_TOO_LARGE)) {
            r.release();
            return tooLarge(false); // Netty closes after it: the body was never sent.
        }
        return response;
    }

    private static FullHttpResponse tooLarge(boolean keepAlive) {
        byte[] body = Json.bytes(Json.error("too_large", "the body is larger than "
                + HttpServer.BODY_BYTES_MAX + " bytes", Map.of()));
        FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1,
                HttpResponseStatus.REQUEST_ENTITY_TOO_LARGE, Unpooled.wrappedBuffer(body));
        response.headers().set(HttpHeaderNames.CONTENT_TYPE, HttpHeaderValues.APPLICATION_JSON);
        response.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, body.length);
        response.headers().set(HttpHeaderNames.CONNECTION,
                keepAlive ? HttpHeaderValues.KEEP_ALIVE : HttpHeaderValues.CLOSE);
        return response;
    }
}
