/**
 * Real applications for the agent's tests and benchmark, each a main class that knows nothing of connwatch (no
 * connwatch import), run in a JVM of its own with or without {@code -javaagent}. Each prints one line when ready
 * ({@link io.connwatch.agent.apps.AppLines#LISTENING}: {@code listening on 127.0.0.1:PORT}) and stops on
 * {@code stop} on its input, SIGTERM or SIGINT, printing {@code stopped} and exiting 0; bad arguments are one line on
 * the error output and exit 2.
 *
 * <ul>
 *   <li>{@link io.connwatch.agent.apps.HexDumpStyleProxy}: a plain Netty proxy in the style of Netty's HexDumpProxy
 *       example, one outgoing connection per client, made on the client's event loop (NIO or {@code --epoll}).</li>
 *   <li>{@link io.connwatch.agent.apps.HangingBackend}: a backend that hangs, echoes, answers HTTP, or answers HTTP
 *       except on {@code /hang...}.</li>
 *   <li>{@link io.connwatch.agent.apps.ReactorForwardingServer}: the Spring Cloud Gateway shape, a Reactor Netty
 *       server forwarding through a pooled client ({@code ConnectionProvider} "upstream").</li>
 *   <li>{@link io.connwatch.agent.apps.ReactorPlainServer}: a Reactor Netty server that is no proxy.</li>
 *   <li>{@link io.connwatch.agent.apps.KeepAliveLoad}: a keep-alive HTTP load client, in-process or as a program.</li>
 * </ul>
 *
 * Tests start them with {@link io.connwatch.agent.apps.AppJvms} (the test class path without connwatch's classes)
 * and wait for the lines in {@link io.connwatch.agent.apps.AppLines}; {@code bench/agent-wrk.sh} runs them under
 * wrk.
 */
package io.connwatch.agent.apps;
