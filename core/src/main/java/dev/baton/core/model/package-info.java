/** Immutable values of the task model: tasks, their history events, queue summaries. */
package dev.baton.core.model;
