/**
 * The storage port of the core: an ordered map from string keys to bytes. The server backs it
 * with MapDB; tests and simulations back it with a {@link java.util.TreeMap}.
 */
package dev.baton.core.state;
