package io.whpg.drsync.backend;

import com.jcraft.jsch.ChannelSftp;
import com.jcraft.jsch.JSch;
import com.jcraft.jsch.JSchException;
import com.jcraft.jsch.Session;
import com.jcraft.jsch.SftpATTRS;
import com.jcraft.jsch.SftpException;
import io.whpg.drsync.config.Backend;
import io.whpg.drsync.primary.FailureText;
import io.whpg.drsync.state.AtomicFiles;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Vector;

/**
 * A directory tree on an SFTP host (OpenSSH's sftp-server), through the SSH library camel-ftp's sftp uses (JSch):
 * key login, the host key checked against {@code known_hosts} (never trusted on first use), one session reused by
 * every request. A put writes a random hidden temp name then renames it over the target (OpenSSH's posix-rename),
 * so a reader never sees half a file.
 */
public final class SftpStore implements ObjectStore {
    private static final int NO_SUCH_FILE = ChannelSftp.SSH_FX_NO_SUCH_FILE;
    private final Backend.Sftp settings;
    private final int timeoutMillis;
    private Session session;
    private ChannelSftp channel;

    public SftpStore(Backend.Sftp settings, int timeoutMillis) {
        this.settings = settings;
        this.timeoutMillis = timeoutMillis;
    }

    @Override
    public String name(String key) {
        return "sftp://" + settings.user() + "@" + settings.host() + ":" + settings.port() + key;
    }

    private synchronized ChannelSftp channel() throws JSchException {
        if (channel != null && channel.isConnected() && session.isConnected()) {
            return channel;
        }
        close();
        JSch jsch = new JSch();
        jsch.setKnownHosts(settings.knownHosts().toString());
        jsch.addIdentity(settings.identity().toString());
        session = jsch.getSession(settings.user(), settings.host(), settings.port());
        session.setConfig("StrictHostKeyChecking", "yes");
        session.setConfig("PreferredAuthentications", "publickey");
        session.setTimeout(timeoutMillis);
        session.connect(timeoutMillis);
        channel = (ChannelSftp) session.openChannel("sftp");
        channel.connect(timeoutMillis);
        return channel;
    }

    @FunctionalInterface
    private interface Op<T> {
        T run(ChannelSftp c) throws SftpException, JSchException, IOException;
    }

    private synchronized <T> T call(String key, Op<T> op) {
        try {
            return op.run(channel());
        } catch (SftpException | JSchException | IOException e) {
            throw new BackendException(name(key) + ": " + cause(e), e);
        }
    }

    static String cause(Throwable e) {
        if (e instanceof SftpException s) {
            return switch (s.id) {
                case ChannelSftp.SSH_FX_NO_SUCH_FILE -> "no such file";
                case ChannelSftp.SSH_FX_PERMISSION_DENIED -> "permission denied";
                default -> "sftp error " + s.id + " " + s.getMessage();
            };
        }
        String m = FailureText.rootCause(e);
        if (m.startsWith("reject HostKey") || m.startsWith("UnknownHostKey")) {
            return "host key not in known_hosts (" + m + ")";
        }
        return m.equals("Auth fail") || m.startsWith("Auth fail") ? "authentication failed (key refused)" : m;
    }

    @Override
    public List<StoredObject> list(String dir) {
        return call(dir, c -> {
            List<StoredObject> out = new ArrayList<>();
            Vector<ChannelSftp.LsEntry> entries;
            try {
                entries = c.ls(dir);
            } catch (SftpException e) {
                if (e.id == NO_SUCH_FILE) {
                    return out;
                }
                throw e;
            }
            for (ChannelSftp.LsEntry e : entries) {
                if (e.getAttrs().isReg() && !e.getFilename().startsWith(".")) {
                    out.add(new StoredObject(ObjectStore.join(dir, e.getFilename()), e.getAttrs().getSize(), Optional.empty()));
                }
            }
            return out;
        });
    }

    @Override
    public Optional<StoredObject> stat(String key) {
        return call(key, c -> {
            try {
                SftpATTRS a = c.lstat(key);
                if (!a.isReg()) {
                    throw new BackendException(name(key) + ": not a regular file");
                }
                return Optional.of(new StoredObject(key, a.getSize(), Optional.empty()));
            } catch (SftpException e) {
                if (e.id == NO_SUCH_FILE) {
                    return Optional.empty();
                }
                throw e;
            }
        });
    }

    @Override
    public byte[] get(String key) {
        return call(key, c -> {
            try (InputStream in = c.get(key)) {
                return in.readAllBytes();
            }
        });
    }

    @Override
    public byte[] getRange(String key, long offset, int length) {
        return call(key, c -> {
            try (InputStream in = c.get(key, null, offset)) {
                return in.readNBytes(length);
            }
        });
    }

    @Override
    public void put(String key, byte[] content) {
        String dir = key.substring(0, key.lastIndexOf('/'));
        String temp = ObjectStore.join(dir, AtomicFiles.tempName(ObjectStore.baseName(key)));
        call(key, c -> {
            mkdirs(c, dir);
            c.put(new ByteArrayInputStream(content), temp, ChannelSftp.OVERWRITE);
            try {
                c.rename(temp, key);
            } catch (SftpException e) {
                try {
                    c.rm(temp);
                } catch (SftpException ignored) {
                    // the rename's failure is the one to report
                }
                throw e;
            }
            return null;
        });
    }

    private static void mkdirs(ChannelSftp c, String dir) throws SftpException {
        if (dir.isEmpty()) {
            return;
        }
        try {
            c.lstat(dir);
        } catch (SftpException e) {
            if (e.id != NO_SUCH_FILE) {
                throw e;
            }
            mkdirs(c, dir.substring(0, dir.lastIndexOf('/')));
            c.mkdir(dir);
        }
    }

    @Override
    public void delete(String key) {
        call(key, c -> {
            try {
                c.rm(key);
            } catch (SftpException e) {
                if (e.id != NO_SUCH_FILE) {
                    throw e;
                }
            }
            return null;
        });
    }

    /** Logs in (host key, key) and finds {@code dir} a directory. */
    @Override
    public void check(String dir) {
        call(dir, c -> {
            if (!c.stat(dir).isDir()) {
                throw new BackendException(name(dir) + ": not a directory");
            }
            return null;
        });
    }

    @Override
    public synchronized void close() {
        if (channel != null) {
            channel.disconnect();
            channel = null;
        }
        if (session != null) {
            session.disconnect();
            session = null;
        }
    }
}
