package io.connwatch.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The executable starts without the JVM warning its user: on JDK 24 and later, Netty's native epoll transport loading
 * its library prints four lines of "restricted method" warnings unless the jar grants native access. Runs on the JVM
 * under test, so it proves something when the suite runs on a recent JDK (CI runs it on 17 and 25).
 */
class JdkWarningsIT {
    @Test
    void proxyStartsAndStopsWithoutAJvmWarning() throws Exception {
        int target;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            target = s.getLocalPort();
        }
        Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-jar",
                System.getProperty("connwatch.jar"), "proxy", "--listen", "127.0.0.1:0",
                "--target", "127.0.0.1:" + target, "--dump-dir", System.getProperty("java.io.tmpdir"))
                .start();
        try {
            CompletableFuture<String> stderr = CompletableFuture.supplyAsync(() -> readAll(p));
            try (BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(),
                    StandardCharsets.UTF_8))) {
                String line;
                do {
                    line = out.readLine();
                } while (line != null && !line.startsWith("listening on "));
                assertTrue(line != null, "the proxy started");
                assertTrue(line.endsWith("(epoll)"), "the native transport was loaded: " + line);
                Process kill = new ProcessBuilder("kill", "-TERM", String.valueOf(p.pid())).inheritIO().start();
                assertTrue(kill.waitFor(10, TimeUnit.SECONDS));
                assertTrue(p.waitFor(30, TimeUnit.SECONDS), "stopped");
            }
            assertEquals(0, p.exitValue());
            List<String> warnings = stderr.get(10, TimeUnit.SECONDS).lines()
                    .filter(l -> l.startsWith("WARNING")).toList();
            assertEquals(List.of(), warnings, "JVM " + Runtime.version());
        } finally {
            p.destroyForcibly();
        }
    }

    private static String readAll(Process p) {
        try {
            return new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            return e.toString();
        }
    }
}
