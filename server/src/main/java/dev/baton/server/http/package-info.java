/**
 * The HTTP/JSON API of ../shared/API.md on Netty: {@link dev.baton.server.http.HttpServer}
 * accepts connections, {@link dev.baton.server.http.Api} routes a request, validates it before
 * anything is proposed, and turns outcomes into the contract's statuses and bodies.
 */
package dev.baton.server.http;
