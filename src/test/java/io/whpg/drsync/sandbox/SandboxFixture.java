package io.whpg.drsync.sandbox;

import io.whpg.drsync.testing.Requires;

import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

import java.io.IOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;

/**
 * A sandbox for one integration-test class, built in a fresh {@code /tmp} directory and always torn
 * down: every server stopped, the directory deleted (kept when {@code -Dwhpg.sandbox.keep=true}).
 * <pre>
 *   &#64;RegisterExtension
 *   static final SandboxFixture SANDBOX = new SandboxFixture(SandboxOptions.defaults());
 *   ... SANDBOX.sandbox().connectPrimary(-1) ...
 * </pre>
 * Without JUnit: {@code try (SandboxFixture f = new SandboxFixture(options)) { f.start(); ... }}.
 */
public final class SandboxFixture implements BeforeAllCallback, AfterAllCallback, AutoCloseable {
    private final SandboxOptions options;
    private Path dir;
    private Sandbox sandbox;
    /** Stops the servers even when the test JVM is ended before afterAll runs. */
    private Thread shutdownHook;

    public SandboxFixture(SandboxOptions options) {
        this.options = options;
    }

    public Sandbox start() throws IOException {
        if (sandbox != null) {
            throw new IllegalStateException("sandbox already started in " + dir);
        }
        Requires.postgresql();
        if (options.sshHosts() > 0) {
            Requires.openssh();
        }
        dir = Files.createTempDirectory(Path.of("/tmp"), "whpg-sandbox-");
        shutdownHook = new Thread(this::stopQuietly, "sandbox-fixture-down");
        Runtime.getRuntime().addShutdownHook(shutdownHook);
        sandbox = Sandbox.up(dir, options);
        return sandbox;
    }

    public Sandbox sandbox() {
        if (sandbox == null) {
            throw new IllegalStateException("sandbox not started");
        }
        return sandbox;
    }

    public Path dir() {
        return dir;
    }

    @Override
    public void beforeAll(ExtensionContext context) throws IOException {
        start();
    }

    @Override
    public void afterAll(ExtensionContext context) throws IOException {
        close();
    }

    /** Stops every server (even after a failed up), then deletes the directory. */
    @Override
    public void close() throws IOException {
        if (dir == null) {
            return;
        }
        try {
            Sandbox target = sandbox;
            if (target == null && Files.isRegularFile(dir.resolve("sandbox.json"))) {
                target = Sandbox.open(dir);
            }
            if (target != null) {
                target.down();
            }
        } finally {
            if (shutdownHook != null) {
                try {
                    Runtime.getRuntime().removeShutdownHook(shutdownHook);
                } catch (IllegalStateException e) {
                    // The JVM is already shutting down and running the hook itself.
                }
            }
            if (!Boolean.getBoolean("whpg.sandbox.keep")) {
                deleteTree(dir);
            }
            dir = null;
            sandbox = null;
        }
    }

    private void stopQuietly() {
        try {
            if (sandbox != null) {
                sandbox.down();
            }
        } catch (IOException | RuntimeException e) {
            System.err.println("sandbox fixture: " + e.getMessage());
        }
    }

    public static void deleteTree(Path root) throws IOException {
        if (!Files.exists(root)) {
            return;
        }
        Files.walkFileTree(root, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                Files.delete(file);
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult postVisitDirectory(Path d, IOException e) throws IOException {
                if (e != null) {
                    throw e;
                }
                Files.delete(d);
                return FileVisitResult.CONTINUE;
            }
        });
    }
}
