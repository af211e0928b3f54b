package dev.baton.server.http;

import dev.baton.config.HostPort;
import dev.baton.server.raft.RaftNode;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.HttpServerCodec;
import java.net.InetSocketAddress;

/** The Netty server for one node's HTTP API. */
public final class HttpServer implements AutoCloseable {
    /** Contract: a body over 1 MiB gets 413. */
    static final int BODY_BYTES_MAX = 1024 * 1024;

    private final Channel channel;
    private final EventLoopGroup boss;
    private final EventLoopGroup workers;
    private final ClaimWaiters waiters;
    private final EventStreams events;

    private HttpServer(Channel channel, EventLoopGroup boss, EventLoopGroup workers,
                       ClaimWaiters waiters, EventStreams events) {
        this.channel = channel;
        this.boss = boss;
        this.workers = workers;
        this.waiters = waiters;
        this.events = events;
    }

    public static HttpServer start(HostPort address, RaftNode node, long defaultTtlMs)
            throws InterruptedException {
        ClaimWaiters waiters = new ClaimWaiters(node);
        EventStreams events = new EventStreams(node.stateMachine());
        Api api = new Api(node, new ClusterView(node), waiters, events, defaultTtlMs);
        HttpServer server = null;
        EventLoopGroup boss = new NioEventLoopGroup(1);
        EventLoopGroup workers = new NioEventLoopGroup(2);
        try {
            Channel channel = new ServerBootstrap()
                    .group(boss, workers)
                    .channel(NioServerSocketChannel.class)
                    .childHandler(new ChannelInitializer<SocketChannel>() {
                        @Override
                        protected void initChannel(SocketChannel ch) {
                            ch.pipeline()
                                    .addLast(new HttpServerCodec())
                                    .addLast(new BodyLimit(BODY_BYTES_MAX))
                                    .addLast(new HttpHandler(api));
                        }
                    })
                    .bind(new InetSocketAddress(address.host(), address.port()))
                    .sync().channel();
            server = new HttpServer(channel, boss, workers, waiters, events);
            return server;
        } finally {
            if (server == null) {
                waiters.close();
                events.close();
                boss.shutdownGracefully();
                workers.shutdownGracefully();
            }
        }
    }

    @Override
    public void close() {
        waiters.close();
        events.close();
        channel.close().syncUninterruptibly();
        boss.shutdownGracefully();
        workers.shutdownGracefully();
    }
}
