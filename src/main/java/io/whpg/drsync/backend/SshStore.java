package io.whpg.drsync.backend;

import static io.whpg.drsync.exec.ShellQuote.quote;

import io.whpg.drsync.config.Backend;
import io.whpg.drsync.exec.CommandResult;
import io.whpg.drsync.exec.SshHostShell;
import io.whpg.drsync.exec.SshTransport;
import io.whpg.drsync.state.AtomicFiles;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Optional;

/**
 * A directory on another host reached over SSH with the tool's own SSH client (the one that reaches the DR hosts:
 * key login, host key checked against known_hosts), every operation a short POSIX shell command there: {@code find}
 * to list, {@code stat}, {@code base64} to carry bytes, a hidden temp file then {@code mv} to put. For hosts that give
 * a shell but no SFTP subsystem; one session reused by every request.
 */
public final class SshStore implements ObjectStore {
    /** A put travels on the command line: manifests and LATEST.json are a few KB, WAL is never put by the tool. */
    static final int MAX_PUT = 1 << 20;
    private final Backend.Sftp settings;
    private final SshTransport transport;
    private final SshHostShell shell;
    private final Duration timeout;

    public SshStore(Backend.Sftp settings, Duration connectTimeout, Duration commandTimeout) {
        this.settings = settings;
        this.transport = new SshTransport(settings.identity(), settings.knownHosts(), connectTimeout, 1, Duration.ofSeconds(1), "");
        this.shell = transport.open(settings.host(), settings.port(), settings.user());
        this.timeout = commandTimeout;
    }

    @Override
    public String name(String key) {
        return "ssh://" + settings.user() + "@" + settings.host() + ":" + settings.port() + key;
    }

    /** Runs {@code script}; a failure is one line: the command's own first stderr line, or why SSH failed. */
    private String run(String key, String script) {
        CommandResult r;
        try {
            r = shell.run("LC_ALL=C; export LC_ALL\n" + script, timeout);
        } catch (RuntimeException e) {
            throw new BackendException(name(key) + ": " + io.whpg.drsync.primary.FailureText.userMessage(e), e);
        }
        if (!r.ok()) {
            String why = r.stderr().strip().lines().findFirst().orElse("exit " + r.exitCode());
            throw new BackendException(name(key) + ": " + why);
        }
        return r.stdout();
    }

    @Override
    public List<StoredObject> list(String dir) {
        String d = quote(dir);
        String out = run(dir, "[ -e " + d + " ] || exit 0\ncd " + d + " || exit 1\n"
                + "find . -maxdepth 1 -type f ! -name '.*' -printf '%f\\t%s\\n'");
        List<StoredObject> objects = new ArrayList<>();
        out.lines().filter(l -> l.contains("\t")).forEach(l -> {
            int tab = l.lastIndexOf('\t');
            objects.add(new StoredObject(ObjectStore.join(dir, l.substring(0, tab)), Long.parseLong(l.substring(tab + 1)),
                    Optional.empty()));
        });
        return objects;
    }

    @Override
    public Optional<StoredObject> stat(String key) {
        String k = quote(key);
        String out = run(key, "if [ -f " + k + " ] && [ ! -L " + k + " ]; then stat -c %s " + k + "; elif [ -e " + k
                + " ] || [ -L " + k + " ]; then echo 'not a regular file' >&2; exit 1; fi");
        return out.isBlank() ? Optional.empty() : Optional.of(new StoredObject(key, Long.parseLong(out.strip()), Optional.empty()));
    }

    @Override
    public byte[] get(String key) {
        return Base64.getMimeDecoder().decode(run(key, "base64 < " + quote(key)).strip());
    }

    @Override
    public byte[] getRange(String key, long offset, int length) {
        String k = quote(key);
        return Base64.getMimeDecoder().decode(run(key, "[ -r " + k + " ] || { echo 'cannot read' >&2; exit 1; }\n"
                + "dd if=" + k + " iflag=skip_bytes,count_bytes skip=" + offset + " count=" + length
                + " bs=65536 2>/dev/null | base64").strip());
    }

    @Override
    public void put(String key, byte[] content) {
        if (content.length > MAX_PUT) {
            throw new BackendException(name(key) + ": " + content.length + " bytes, more than the ssh backend puts ("
                    + MAX_PUT + ")");
        }
        String dir = key.substring(0, key.lastIndexOf('/'));
        String temp = quote(ObjectStore.join(dir, AtomicFiles.tempName(ObjectStore.baseName(key))));
        run(key, "umask 077\nmkdir -p " + quote(dir.isEmpty() ? "/" : dir) + " || exit 1\n"
                + "printf '%s' " + quote(Base64.getEncoder().encodeToString(content)) + " | base64 -d > " + temp
                + " && mv -f " + temp + " " + quote(key) + " || { rm -f " + temp + "; exit 1; }");
    }

    @Override
    public void delete(String key) {
        run(key, "rm -f " + quote(key));
    }

    @Override
    public void check(String dir) {
        String d = quote(dir);
        run(dir, "[ -d " + d + " ] || { echo 'no such directory' >&2; exit 1; }\n"
                + "[ -r " + d + " ] && [ -x " + d + " ] || { echo 'permission denied' >&2; exit 1; }");
    }

    @Override
    public void close() {
        shell.close();
        transport.close();
    }
}
