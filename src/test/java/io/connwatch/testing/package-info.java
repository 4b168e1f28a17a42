/**
 * What the tests share, so that each test says only what it checks.
 *
 * <ul>
 *   <li>{@link io.connwatch.testing.TestTimes}: every threshold and wait bound, scaled by
 *       {@code -Dconnwatch.test.timeScale} on a slow machine.</li>
 *   <li>{@link io.connwatch.testing.MonitorFixture}: a tracker and a monitor set for tests on real sockets, what the
 *       test opens closed after it, and the waits (a pattern, a cleanup, back to no connection) bounded
 *       generously.</li>
 *   <li>{@link io.connwatch.testing.Sockets}: loopback clients with bounded connects and reads, a request, the end of
 *       a stream, a free port; {@link io.connwatch.testing.SocketPairs}: many live socket pairs without a relay;
 *       {@link io.connwatch.testing.LoopbackPatterns}: real connections that show the patterns a test asks for.</li>
 *   <li>{@link io.connwatch.testing.ChildJvm} and {@link io.connwatch.testing.ChildJvms}: a JVM of its own (a main
 *       class on the test class path, or the built jar), its output read into lines, killed after the test;
 *       {@link io.connwatch.testing.Tools}: {@code keytool}, {@code jcmd}, {@code jfr} and the system's tools, run to
 *       their end within a bound.</li>
 *   <li>{@link io.connwatch.testing.TestFiles}, {@link io.connwatch.testing.TestKeyStores},
 *       {@link io.connwatch.testing.TlsJmxClient}: files with the right permissions, a key pair made with
 *       {@code keytool}, a JMX client over TLS in a JVM of its own.</li>
 * </ul>
 */
package io.connwatch.testing;
