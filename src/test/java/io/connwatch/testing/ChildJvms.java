package io.connwatch.testing;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Starts {@link ChildJvm}s and kills whichever still run once the test is over (after each test on an instance
 * field, after the class on a static one), whatever the test did.
 *
 * <pre>{@code
 * @RegisterExtension
 * final ChildJvms jvms = new ChildJvms();
 * }</pre>
 */
public final class ChildJvms implements AfterEachCallback, AfterAllCallback {
    private final List<ChildJvm> started = new ArrayList<>();

    /** Starts {@code command}; the child is killed after the test if it still runs. */
    public synchronized ChildJvm start(ChildJvm.Command command) throws IOException {
        ChildJvm child = command.start();
        started.add(child);
        return child;
    }

    @Override
    public void afterEach(ExtensionContext context) throws InterruptedException {
        closeAll();
    }

    @Override
    public void afterAll(ExtensionContext context) throws InterruptedException {
        closeAll();
    }

    private synchronized void closeAll() throws InterruptedException {
        for (ChildJvm child : started) {
            child.close();
        }
        started.clear();
    }
}
