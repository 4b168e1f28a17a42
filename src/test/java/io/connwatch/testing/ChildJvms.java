package io.connwatch.testing;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Starts {@link ChildJvm}s and kills whichever still run once they are no longer needed, whatever the test did: a
 * child started by a test is killed after that test; one started outside a test ({@code @BeforeAll}, on a static
 * field) lives for the whole class and is killed after it.
 *
 * <pre>{@code
 * @RegisterExtension
 * final ChildJvms jvms = new ChildJvms();          // or static, for children shared by the class
 * }</pre>
 */
public final class ChildJvms implements BeforeEachCallback, AfterEachCallback, AfterAllCallback {
    private final List<ChildJvm> forTheClass = new ArrayList<>();
    private final List<ChildJvm> forTheTest = new ArrayList<>();
    private boolean inTest;

    /** Starts {@code command}; the child is killed after the test (or the class) that started it, if it still runs. */
    public synchronized ChildJvm start(ChildJvm.Command command) throws IOException {
        ChildJvm child = command.start();
        (inTest ? forTheTest : forTheClass).add(child);
        return child;
    }

    @Override
    public synchronized void beforeEach(ExtensionContext context) {
        inTest = true;
    }

    @Override
    public void afterEach(ExtensionContext context) throws InterruptedException {
        synchronized (this) {
            inTest = false;
        }
        closeAll(forTheTest);
    }

    @Override
    public void afterAll(ExtensionContext context) throws InterruptedException {
        closeAll(forTheTest);
        closeAll(forTheClass);
    }

    private synchronized void closeAll(List<ChildJvm> children) throws InterruptedException {
        for (ChildJvm child : children) {
            child.close();
        }
        children.clear();
    }
}
