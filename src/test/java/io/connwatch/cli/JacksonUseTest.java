package io.connwatch.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.connwatch.ConnectionMonitor;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * connwatch reads and writes JSON with jackson-core's streaming API only: no data binding, so no default typing and
 * no class name taken from a file can ever be instantiated. databind is a test dependency; this keeps it there.
 */
class JacksonUseTest {
    @Test
    void noMainClassReferencesJacksonDatabind() throws Exception {
        Path classes = Path.of(ConnectionMonitor.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        assertTrue(Files.isDirectory(classes), "run from the build's classes folder: " + classes);
        byte[] databind = "com/fasterxml/jackson/databind".getBytes(StandardCharsets.UTF_8);
        List<Path> using;
        try (Stream<Path> files = Files.walk(classes)) {
            using = files.filter(p -> p.toString().endsWith(".class")).filter(p -> contains(p, databind)).toList();
        }
        assertEquals(List.of(), using, "classes that use jackson-databind");
    }

    private static boolean contains(Path file, byte[] needle) {
        try {
            byte[] b = Files.readAllBytes(file);
            outer:
            for (int i = 0; i + needle.length <= b.length; i++) {
                for (int j = 0; j < needle.length; j++) {
                    if (b[i + j] != needle[j]) {
                        continue outer;
                    }
                }
                return true;
            }
            return false;
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
