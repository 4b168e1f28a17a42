package io.connwatch.demo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.reflect.Constructor;
import java.lang.reflect.Modifier;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** The demo, its fake backends and its buggy relay are nothing a library user can pick up as API. */
class DemoPackageTest {
    @Test
    void theOnlyPublicClassIsTheCommandAndNoOneOutsideCanCreateIt() throws Exception {
        // Where the main classes are (test classes of this package sit in another folder).
        URL classes = DemoCommand.class.getProtectionDomain().getCodeSource().getLocation();
        assertEquals("file", classes.getProtocol(), "the main classes are read from a folder: " + classes);
        Path demo = Path.of(classes.toURI()).resolve(DemoCommand.class.getPackageName().replace('.', '/'));
        List<String> publicClasses;
        try (Stream<Path> files = Files.list(demo)) {
            publicClasses = files.map(f -> f.getFileName().toString())
                    .filter(n -> n.endsWith(".class") && !n.contains("$"))
                    .map(n -> DemoCommand.class.getPackageName() + "." + n.substring(0, n.length() - ".class".length()))
                    .filter(DemoPackageTest::isPublic)
                    .sorted()
                    .collect(Collectors.toList());
        }
        assertEquals(List.of(DemoCommand.class.getName()), publicClasses);
        assertTrue(Modifier.isFinal(DemoCommand.class.getModifiers()));
        for (Constructor<?> c : DemoCommand.class.getDeclaredConstructors()) {
            assertFalse(Modifier.isPublic(c.getModifiers()) || Modifier.isProtected(c.getModifiers()), c.toString());
        }
    }

    @Test
    void theDemosBackendsAndRelayAreNoLongerInTheCommandLinePackage() {
        for (String gone : List.of("io.connwatch.cli.DemoBackend", "io.connwatch.cli.BlockingRelay",
                "io.connwatch.cli.DemoRun")) {
            assertThrows(ClassNotFoundException.class, () -> Class.forName(gone, false, getClass().getClassLoader()),
                    gone);
        }
    }

    private static boolean isPublic(String className) {
        try {
            return Modifier.isPublic(Class.forName(className, false, DemoPackageTest.class.getClassLoader())
                    .getModifiers());
        } catch (ClassNotFoundException e) {
            throw new AssertionError(e);
        }
    }
}
