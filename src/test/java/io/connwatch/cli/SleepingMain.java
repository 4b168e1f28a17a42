package io.connwatch.cli;

/** A JVM without connwatch: says {@code ready}, then sleeps until killed. */
public final class SleepingMain {
    private SleepingMain() {
    }

    public static void main(String[] args) throws InterruptedException {
        System.out.println("ready");
        System.out.flush();
        while (true) {
            Thread.sleep(60_000);
        }
    }
}
