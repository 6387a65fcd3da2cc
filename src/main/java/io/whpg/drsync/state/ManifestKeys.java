package io.whpg.drsync.state;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.X509EncodedKeySpec;
import java.util.Base64;

/**
 * The publisher's Ed25519 key pair as PEM files (PKCS#8 private key, X.509 public key), and signing and
 * verifying bytes with them. The private file is created exclusively with mode 0600 and never overwritten.
 */
public final class ManifestKeys {
    public static final String ALGORITHM = "Ed25519";
    public static final String SIGNATURE_PREFIX = "ed25519:";
    private static final String PRIVATE = "PRIVATE KEY";
    private static final String PUBLIC = "PUBLIC KEY";
    private static final long MAX_PEM_BYTES = 64 << 10;

    private ManifestKeys() {
    }

    /** The public file written beside a private key file. */
    public static Path publicOf(Path privateKey) {
        return privateKey.resolveSibling(privateKey.getFileName() + ".pub");
    }

    /**
     * A new pair: {@code privateKey} (0600) and {@link #publicOf} it, both created exclusively without following a
     * symlink; the directory is created 0700 when missing. An existing file is never touched: FileAlreadyExistsException.
     */
    public static KeyPair create(Path privateKey) throws IOException {
        KeyPair pair;
        try {
            pair = KeyPairGenerator.getInstance(ALGORITHM).generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
        Path dir = privateKey.toAbsolutePath().getParent();
        if (!Files.exists(dir, LinkOption.NOFOLLOW_LINKS)) {
            Files.createDirectories(dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwxr-xr-x")));
        }
        if (!Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
            throw new IOException(dir + " is a symlink or not a directory");
        }
        Path pub = publicOf(privateKey);
        for (Path p : new Path[] {privateKey, pub}) {
            if (Files.exists(p, LinkOption.NOFOLLOW_LINKS)) {
                throw new FileAlreadyExistsException(p.toString());
            }
        }
        createExclusive(privateKey, pem(PRIVATE, pair.getPrivate().getEncoded()), "rw-------");
        try {
            createExclusive(pub, pem(PUBLIC, pair.getPublic().getEncoded()), "rw-r--r--");
        } catch (IOException e) {
            Files.deleteIfExists(privateKey);
            throw e;
        }
        AtomicFiles.fsyncDirectory(dir);
        return pair;
    }

    public static PrivateKey readPrivate(Path file) throws IOException {
        try {
            return KeyFactory.getInstance(ALGORITHM).generatePrivate(new PKCS8EncodedKeySpec(der(file, PRIVATE)));
        } catch (GeneralSecurityException e) {
            throw new IOException(file + ": not an Ed25519 private key (PKCS#8 PEM)");
        }
    }

    public static PublicKey readPublic(Path file) throws IOException {
        try {
            return KeyFactory.getInstance(ALGORITHM).generatePublic(new X509EncodedKeySpec(der(file, PUBLIC)));
        } catch (GeneralSecurityException e) {
            throw new IOException(file + ": not an Ed25519 public key (X.509 PEM)");
        }
    }

    /** {@code ed25519:<base64>} over {@code bytes}. */
    public static String sign(PrivateKey key, byte[] bytes) {
        try {
            Signature s = Signature.getInstance(ALGORITHM);
            s.initSign(key);
            s.update(bytes);
            return SIGNATURE_PREFIX + Base64.getEncoder().encodeToString(s.sign());
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot sign with the " + ALGORITHM + " key: " + e.getMessage(), e);
        }
    }

    /** Whether {@code signature} ({@code ed25519:<base64>}) is {@code key}'s over {@code bytes}; malformed is false. */
    public static boolean verify(PublicKey key, byte[] bytes, String signature) {
        if (!signature.startsWith(SIGNATURE_PREFIX)) {
            return false;
        }
        try {
            byte[] sig = Base64.getDecoder().decode(signature.substring(SIGNATURE_PREFIX.length()));
            Signature s = Signature.getInstance(ALGORITHM);
            s.initVerify(key);
            s.update(bytes);
            return s.verify(sig);
        } catch (IllegalArgumentException | GeneralSecurityException e) {
            return false;
        }
    }

    private static String pem(String type, byte[] der) {
        return "-----BEGIN " + type + "-----\n" + Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(der)
                + "\n-----END " + type + "-----\n";
    }

    private static byte[] der(Path file, String type) throws IOException {
        String text;
        try {
            text = RegularFiles.read(file, MAX_PEM_BYTES);
        } catch (IOException e) {
            throw new IOException(file + ": cannot read: " + AtomicFiles.reason(e), e);
        }
        String begin = "-----BEGIN " + type + "-----";
        String end = "-----END " + type + "-----";
        int b = text.indexOf(begin);
        int e = text.indexOf(end);
        if (b < 0 || e < b) {
            throw new IOException(file + ": expected a PEM block \"" + begin + "\"");
        }
        try {
            return Base64.getMimeDecoder().decode(text.substring(b + begin.length(), e));
        } catch (IllegalArgumentException x) {
            throw new IOException(file + ": PEM block is not base64");
        }
    }

    private static void createExclusive(Path file, String content, String mode) throws IOException {
        try (FileChannel ch = FileChannel.open(file, java.util.Set.of(StandardOpenOption.CREATE_NEW,
                StandardOpenOption.WRITE, LinkOption.NOFOLLOW_LINKS),
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString(mode)))) {
            ByteBuffer buf = ByteBuffer.wrap(content.getBytes(StandardCharsets.UTF_8));
            while (buf.hasRemaining()) {
                ch.write(buf);
            }
            ch.force(true);
        }
        // the umask may have removed bits; never more than asked
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString(mode));
    }
}
