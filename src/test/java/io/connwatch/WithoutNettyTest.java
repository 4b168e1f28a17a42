package io.connwatch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Netty is optional: the core loads and works from a class path that has no Netty at all. */
class WithoutNettyTest {
    @TempDir
    Path dumps;

    @Test
    void coreWorksWithoutNettyOnTheClassPath() throws Exception {
        List<URL> urls = new ArrayList<>();
        for (String entry : System.getProperty("java.class.path").split(File.pathSeparator)) {
            if (!entry.contains("netty")) {
                urls.add(Path.of(entry).toUri().toURL());
            }
        }
        try (URLClassLoader loader = new URLClassLoader(urls.toArray(URL[]::new), ClassLoader.getPlatformClassLoader())) {
            assertThrows(ClassNotFoundException.class, () -> loader.loadClass("io.netty.channel.Channel"));
            Class<?> trackerClass = loader.loadClass("io.connwatch.tracking.ConnectionTracker");
            Class<?> settingsClass = loader.loadClass("io.connwatch.MonitorSettings");
            Class<?> monitorClass = loader.loadClass("io.connwatch.ConnectionMonitor");
            Object tracker = trackerClass.getConstructor(String.class).newInstance("plain");
            Object builder = settingsClass.getMethod("builder").invoke(null);
            builder.getClass().getMethod("outputDirectory", Path.class).invoke(builder, dumps);
            Object settings = builder.getClass().getMethod("build").invoke(builder);
            Object monitor = monitorClass.getConstructor(trackerClass, settingsClass).newInstance(tracker, settings);
            try {
                monitorClass.getMethod("start").invoke(monitor);
                Object check = monitorClass.getMethod("checkNow").invoke(monitor);
                assertEquals(0L, check.getClass().getMethod("activeConnections").invoke(check));
                Path dump = (Path) monitorClass.getMethod("forceCaptureNow").invoke(monitor);
                assertTrue(Files.isRegularFile(dump));
            } finally {
                monitorClass.getMethod("close").invoke(monitor);
            }
        }
    }
}
