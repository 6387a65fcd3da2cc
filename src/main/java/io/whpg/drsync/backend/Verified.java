package io.whpg.drsync.backend;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/** A fetched object is what the store says it holds: its size, and its checksum where the store keeps one. */
public final class Verified {
    private Verified() {
    }

    /** Throws naming the object when {@code content} differs in size or checksum from {@code expected}. */
    public static void check(String name, byte[] content, StoredObject expected) {
        if (content.length != expected.size()) {
            throw new BackendException(name + ": fetched " + content.length + " bytes, the store lists "
                    + expected.size() + " (short or changed object)");
        }
        expected.checksum().ifPresent(sum -> {
            String got = "md5:" + md5(content);
            if (!got.equals(sum)) {
                throw new BackendException(name + ": checksum " + got + " does not match the store's " + sum
                        + " (corrupt object)");
            }
        });
    }

    public static String md5(byte[] content) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("MD5").digest(content));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
