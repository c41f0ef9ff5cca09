package io.cellos.telemetry.guest.linux;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The BTF type ids of the kernel's functions ({@code BTF_KIND_FUNC}) in the running kernel's type
 * information, {@code /sys/kernel/btf/vmlinux}: what an eBPF {@code call} of a kfunc names
 * ({@link EbpfProgram#callKernelFunction}). The ids are the kernel build's own, so they are looked
 * up on each machine, never compiled in.
 *
 * <p>Reads the format of {@code <linux/btf.h>}: a header, then {@code struct btf_type} records
 * numbered from 1, each followed by data whose size its kind and {@code vlen} give, then the
 * strings. Only the walk needed to count ids is done. Stateless.
 */
public final class KernelFunctionIds {
    public static final Path VMLINUX = Path.of("/sys/kernel/btf/vmlinux");
    private static final int MAGIC = 0xeb9f;
    private static final int KIND_FUNC = 12;

    private KernelFunctionIds() {
    }

    /**
     * The id of the function {@code name} in {@link #VMLINUX}.
     *
     * @throws IOException if the file cannot be read, is not BTF, or has no such function
     */
    public static int of(String name) throws IOException {
        return of(VMLINUX, name);
    }

    /** The id of the function {@code name} in the BTF file {@code btf}. */
    static int of(Path btf, String name) throws IOException {
        ByteBuffer b = ByteBuffer.wrap(Files.readAllBytes(btf)).order(ByteOrder.LITTLE_ENDIAN);
        if (b.remaining() < 24 || (b.getShort(0) & 0xffff) != MAGIC) {
            throw new IOException(btf + " is not BTF (no magic 0xeb9f, little-endian)");
        }
        int headerBytes = b.getInt(4);
        int typesAt = headerBytes + b.getInt(8);
        int typesEnd = typesAt + b.getInt(12);
        int stringsAt = headerBytes + b.getInt(16);
        byte[] wanted = name.getBytes(StandardCharsets.US_ASCII);
        int id = 1;
        for (int at = typesAt; at < typesEnd; id++) {
            int nameOff = b.getInt(at);
            int info = b.getInt(at + 4);
            int kind = info >>> 24 & 0x1f;
            if (kind == KIND_FUNC && named(b, stringsAt + nameOff, wanted)) {
                return id;
            }
            at += 12 + extraBytes(kind, info & 0xffff, btf, id);
        }
        throw new IOException(btf + " has no function " + name);
    }

    /** The bytes after a {@code struct btf_type} of {@code kind} with {@code vlen} members. */
    private static int extraBytes(int kind, int vlen, Path btf, int id) throws IOException {
        return switch (kind) {
            case 1, 14, 17 -> 4;                  // INT: encoding; VAR: linkage; DECL_TAG: component index
            case 3 -> 12;                         // ARRAY: struct btf_array
            case 4, 5, 15, 19 -> 12 * vlen;       // STRUCT, UNION: btf_member; DATASEC: btf_var_secinfo; ENUM64
            case 6, 13 -> 8 * vlen;               // ENUM: btf_enum; FUNC_PROTO: btf_param
            case 2, 7, 8, 9, 10, 11, 12, 16, 18 -> 0;
            default -> throw new IOException(btf + ": type " + id + " is of kind " + kind + ", unknown to this reader");
        };
    }

    private static boolean named(ByteBuffer b, int at, byte[] name) {
        for (int i = 0; i < name.length; i++) {
            if (b.get(at + i) != name[i]) {
                return false;
            }
        }
        return b.get(at + name.length) == 0;
    }
}
