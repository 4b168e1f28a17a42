package io.connwatch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.util.List;
import java.util.jar.JarFile;
import org.junit.jupiter.api.Test;

/** What a library user of Maven Central gets from {@code mvn package}: a named module, sources and Javadoc. */
class LibraryJarsIT {
    private static final String BASE = System.getProperty("connwatch.library");

    @Test
    void theLibraryHasAStableModuleNameAndNoBundledDependency() throws IOException {
        try (JarFile jar = new JarFile(BASE + ".jar")) {
            assertEquals("io.connwatch", jar.getManifest().getMainAttributes().getValue("Automatic-Module-Name"));
            assertNotNull(jar.getEntry("io/connwatch/ConnectionMonitor.class"));
            assertTrue(jar.stream().noneMatch(e -> e.getName().startsWith("com/fasterxml/")
                    || e.getName().startsWith("io/netty/") || e.getName().startsWith("picocli/")),
                    "dependencies stay dependencies");
        }
    }

    @Test
    void sourcesAndJavadocJarsCoverThePublicApi() throws IOException {
        try (JarFile sources = new JarFile(BASE + "-sources.jar");
             JarFile javadoc = new JarFile(BASE + "-javadoc.jar")) {
            for (String type : List.of("ConnectionMonitor", "MonitorSettings", "MonitorListener",
                    "tracking/ConnectionTracker", "tracking/TrackedConnection", "tracking/Endpoint",
                    "netty/TrackingHandler", "jmx/JmxRemote", "proxy/ConnwatchProxy")) {
                assertNotNull(sources.getEntry("io/connwatch/" + type + ".java"), type + ".java");
                assertNotNull(javadoc.getEntry("io/connwatch/" + type + ".html"), type + ".html");
            }
        }
    }
}
