package io.github.kerneltrace.probes.libbpf;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

import com.sun.jna.Memory;
import com.sun.jna.Native;
import com.sun.jna.Pointer;
import com.sun.jna.ptr.IntByReference;

/**
 * One map of a loaded BPF object, by file descriptor. The kernel's map is safe for concurrent
 * use; this object's only mutable state, the batch buffers of {@link #readAll}, is guarded by its monitor.
 */
public final class BpfMap {

    private static final int ENOENT = 2;

    private final LibbpfApi api;
    private final String name;
    private final int fd;

    BpfMap(LibbpfApi api, String name, int fd) {
        this.api = api;
        this.name = name;
        this.fd = fd;
    }

    public String name() {
        return name;
    }

    public void update(Pointer key, Pointer value) {
        int result = api.bpf_map_update_elem(fd, key, value, 0 /* BPF_ANY */);
        if (result < 0) {
            throw new IllegalStateException("cannot update BPF map " + name + ": " + Libbpf.describeError(result));
        }
    }

    /** Deletes one entry; an entry that is already gone is fine. */
    public void delete(Pointer key) {
        int result = api.bpf_map_delete_elem(fd, key);
        if (result < 0 && -result != ENOENT) {
            throw new IllegalStateException("cannot delete from BPF map " + name + ": " + Libbpf.describeError(result));
        }
    }

    /**
     * Receives the entries of a hash map, a batch at a time: keys and values as packed arrays in
     * native byte order (read them by absolute index, below {@code count}), valid only during the
     * call. Buffers, not JNA pointers: each JNA read is a native call, a buffer's is a plain load.
     */
    public interface EntryVisitor {
        void visit(ByteBuffer keys, ByteBuffer values, int count);
    }

    /**
     * Reads every entry of a hash map with as few system calls as the map's size allows.
     * The visitor sees keys and values as packed arrays of {@code count} elements. The batch
     * buffers are allocated once and reused (a cold test pays for each native allocation); the
     * map's monitor guards them, held while the visitor runs (it may delete from this map, but
     * not read it again).
     */
    public synchronized void readAll(int keySize, int valueSize, int batchSize, EntryVisitor visitor) {
        Batch batch = batch(keySize, valueSize, batchSize);
        boolean first = true;
        while (true) {
            batch.count.setValue(batchSize);
            int result = api.bpf_map_lookup_batch(fd, first ? null : batch.inToken, batch.outToken, batch.keys, batch.values,
                    batch.count, null);
            int errno = result < 0 ? -result : 0;
            if (result < 0 && errno != ENOENT) {
                throw new IllegalStateException("cannot read BPF map " + name + ": " + Libbpf.describeError(result));
            }
            int read = batch.count.getValue();
            if (read > 0) {
                visitor.visit(batch.keyView, batch.valueView, read);
            }
            if (errno == ENOENT) {
                return;
            }
            batch.inToken.write(0, batch.outToken.getByteArray(0, (int) batch.outToken.size()), 0, (int) batch.outToken.size());
            first = false;
        }
    }

    /** The buffers of one batch read, and byte-buffer views of them. */
    private static final class Batch {
        final int keySize;
        final int valueSize;
        final int entries;
        final Memory keys;
        final Memory values;
        final Memory inToken;
        final Memory outToken;
        final ByteBuffer keyView;
        final ByteBuffer valueView;
        final IntByReference count = new IntByReference();

        Batch(int keySize, int valueSize, int entries) {
            this.keySize = keySize;
            this.valueSize = valueSize;
            this.entries = entries;
            this.keys = new Memory((long) keySize * entries);
            this.values = new Memory((long) valueSize * entries);
            this.inToken = new Memory(Math.max(8, keySize));
            this.outToken = new Memory(Math.max(8, keySize));
            this.keyView = keys.getByteBuffer(0, keys.size()).order(ByteOrder.nativeOrder());
            this.valueView = values.getByteBuffer(0, values.size()).order(ByteOrder.nativeOrder());
        }
    }

    /** Guarded by this. */
    private Batch batch;

    private Batch batch(int keySize, int valueSize, int entries) {
        if (batch == null || batch.keySize != keySize || batch.valueSize != valueSize || batch.entries < entries) {
            batch = new Batch(keySize, valueSize, entries);
        }
        return batch;
    }

    /** Deletes {@code count} packed keys in one system call. */
    public void deleteAll(Pointer keys, int count) {
        if (count == 0) {
            return;
        }
        IntByReference deleted = new IntByReference(count);
        int result = api.bpf_map_delete_batch(fd, keys, deleted, null);
        if (result < 0 && -result != ENOENT) {
            throw new IllegalStateException("cannot delete from BPF map " + name + ": " + Libbpf.describeError(result));
        }
    }

    /**
     * Maps a {@code BPF_F_MMAPABLE} array into this process: reads and writes are plain
     * memory accesses, shared with the BPF programs, with no system call.
     */
    public Pointer mmap(long size) {
        Pointer address = LibC.INSTANCE.mmap(null, size, LibC.PROT_READ | LibC.PROT_WRITE, LibC.MAP_SHARED, fd, 0);
        if (address == null || LibC.MAP_FAILED.equals(address)) {
            throw new IllegalStateException("cannot mmap BPF map " + name + ": " + Libbpf.describeError(Native.getLastError()));
        }
        return address;
    }
}
