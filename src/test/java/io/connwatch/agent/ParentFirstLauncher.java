package io.connwatch.agent;

import java.io.IOException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;

/**
 * Starts an application the way a Spring Boot fat jar does: the launcher alone is on the JVM's class path, the
 * application and its libraries are in a class loader of their own whose parent, the system class loader, is asked
 * first. With {@code -javaagent}, the agent's jar is on that parent's class path, so whatever it bundles under its
 * original name would be found before the application's own copy.
 *
 * <p>Arguments: the application's classes folder, a folder of its jars, its main class, then its arguments.
 */
public final class ParentFirstLauncher {
    private ParentFirstLauncher() {
    }

    public static void main(String[] args) throws Exception {
        List<URL> urls = new ArrayList<>();
        urls.add(Path.of(args[0]).toUri().toURL());
        urls.addAll(jars(Path.of(args[1])));
        ClassLoader app = new URLClassLoader(urls.toArray(new URL[0]), ClassLoader.getSystemClassLoader());
        Thread.currentThread().setContextClassLoader(app);
        Class.forName(args[2], true, app).getMethod("main", String[].class)
                .invoke(null, (Object) Arrays.copyOfRange(args, 3, args.length));
    }

    private static List<URL> jars(Path folder) throws IOException {
        List<URL> urls = new ArrayList<>();
        try (Stream<Path> files = Files.list(folder)) {
            for (Path jar : files.filter(f -> f.toString().endsWith(".jar")).sorted().toList()) {
                urls.add(jar.toUri().toURL());
            }
        }
        return urls;
    }
}
