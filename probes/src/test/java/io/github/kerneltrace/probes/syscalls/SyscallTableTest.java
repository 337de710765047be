package io.github.kerneltrace.probes.syscalls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class SyscallTableTest {

    private static final SyscallTable X86_64 = SyscallTable.forArch("x86_64");
    private static final SyscallTable AARCH64 = SyscallTable.forArch("aarch64");

    // Numbers from the kernel's arch/x86/entry/syscalls/syscall_64.tbl and, for aarch64,
    // include/uapi/asm-generic/unistd.h: written out here so that a broken generator shows.
    @ParameterizedTest
    @CsvSource({
            "x86_64, read, 0",
            "x86_64, write, 1",
            "x86_64, openat, 257",
            "x86_64, fsync, 74",
            "x86_64, execve, 59",
            "x86_64, exit_group, 231",
            "x86_64, getppid, 110",
            "aarch64, write, 64",
            "aarch64, openat, 56",
            "aarch64, read, 63",
            "aarch64, execve, 221",
            "aarch64, getppid, 173",
            // __NR3264_* slots, which arm64 names by their 64-bit variant
            "aarch64, fcntl, 25",
            "aarch64, lseek, 62",
            "aarch64, fstat, 80",
            "aarch64, newfstatat, 79",
            "aarch64, mmap, 222",
            "aarch64, fadvise64, 223",
    })
    void knownNumbers(String arch, String name, int nr) {
        SyscallTable table = SyscallTable.forArch(arch);

        assertThat(table.name(nr)).isEqualTo(name);
        assertThat(table.number(name)).hasValue(nr);
    }

    @Test
    void aarch64HasNoLegacyOr32BitCalls() {
        // The generic table's 32-bit names (fcntl64, mmap2, ...) and calls arm64 never had.
        assertThat(AARCH64.names()).doesNotContain("open", "fork", "fcntl64", "mmap2", "llseek", "fstatat64",
                "clock_gettime64", "sync_file_range2", "syscalls", "arch_specific_syscall");
        assertThat(X86_64.names()).contains("open", "fork");
    }

    @ParameterizedTest
    @ValueSource(strings = {"x86_64", "aarch64"})
    void everyNameRoundTrips(String arch) {
        SyscallTable table = SyscallTable.forArch(arch);

        assertThat(table.names()).hasSizeGreaterThan(250);
        for (String name : table.names()) {
            int nr = table.number(name).orElseThrow();
            assertThat(table.name(nr)).as("name(number(%s))", name).isEqualTo(name);
            // The BPF program has 512 slots and keeps the last one for "other".
            assertThat(nr).as(name).isBetween(0, SyscallTable.OTHER - 1);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"x86_64", "aarch64"})
    void unknownNumbersAndTheCatchAllBucket(String arch) {
        SyscallTable table = SyscallTable.forArch(arch);

        assertThat(table.name(SyscallTable.OTHER)).isEqualTo("other");
        assertThat(table.name(400)).isEqualTo("syscall_400"); // in both tables' gap before 424
        assertThat(table.name(-1)).isEqualTo("syscall_-1");
        assertThat(table.number("other")).isEmpty();
        assertThat(table.number("no_such_call")).isEmpty();
    }

    @Test
    void osArchSpellings() {
        assertThat(SyscallTable.forArch("amd64")).isSameAs(X86_64);
        assertThat(X86_64.arch()).isEqualTo("x86_64");
        assertThat(AARCH64.arch()).isEqualTo("aarch64");
    }

    @Test
    void requireKnownAcceptsKernelNames() {
        assertThatCode(() -> X86_64.requireKnown("write")).doesNotThrowAnyException();
        assertThatCode(() -> AARCH64.requireKnown("openat")).doesNotThrowAnyException();
    }

    @Test
    void requireKnownSuggestsTheClosestName() {
        assertThatThrownBy(() -> X86_64.requireKnown("wrte"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("unknown system call \"wrte\" on x86_64; did you mean \"write\"? "
                        + "(names are as in the kernel's syscall table, e.g. \"write\", \"openat\", \"fsync\")");
        assertThatThrownBy(() -> AARCH64.requireKnown("opennat"))
                .hasMessageStartingWith("unknown system call \"opennat\" on aarch64; did you mean \"openat\"?");
        // open exists on x86_64 only. "openat" and "fsopen" are both two edits away; the shared
        // prefix decides.
        assertThatThrownBy(() -> AARCH64.requireKnown("open"))
                .hasMessageStartingWith("unknown system call \"open\" on aarch64; did you mean \"openat\"?");
    }

    @Test
    void requireKnownWithoutCloseNameSuggestsNothing() {
        assertThatThrownBy(() -> X86_64.requireKnown("frobnicate"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("unknown system call \"frobnicate\" on x86_64 "
                        + "(names are as in the kernel's syscall table, e.g. \"write\", \"openat\", \"fsync\")");
        // Three edits from "fsync": too far to guess.
        assertThatThrownBy(() -> X86_64.requireKnown("fsyncxyz"))
                .hasMessageStartingWith("unknown system call \"fsyncxyz\" on x86_64 (");
        assertThatThrownBy(() -> X86_64.requireKnown(null))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("unknown system call null on x86_64 (");
    }

    @Test
    void editDistance() {
        assertThat(SyscallTable.editDistance("wrte", "write")).isEqualTo(1);
        assertThat(SyscallTable.editDistance("write", "wirte")).isEqualTo(2);
        assertThat(SyscallTable.editDistance("", "read")).isEqualTo(4);
        assertThat(SyscallTable.editDistance("fsync", "fsync")).isZero();
    }

    @Test
    void unknownArch() {
        assertThatThrownBy(() -> SyscallTable.forArch("ppc64le"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("unsupported CPU architecture \"ppc64le\": KernelTrace has system-call tables for "
                        + "x86_64 (os.arch \"amd64\" or \"x86_64\") and aarch64 (os.arch \"aarch64\") only");
    }

    @Test
    void currentFollowsOsArch() {
        String osArch = System.getProperty("os.arch");
        try {
            System.setProperty("os.arch", "riscv64");
            assertThatThrownBy(SyscallTable::current)
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("\"riscv64\"")
                    .hasMessageContaining("x86_64")
                    .hasMessageContaining("aarch64");
            System.setProperty("os.arch", "amd64");
            assertThat(SyscallTable.current()).isSameAs(X86_64);
            System.setProperty("os.arch", "aarch64");
            assertThat(SyscallTable.current()).isSameAs(AARCH64);
        } finally {
            System.setProperty("os.arch", osArch);
        }
    }

    @Test
    void byteCountingSyscallsX86_64() {
        // read 0, pread64 17, readv 19, preadv 295, preadv2 327, recvfrom 45, recvmsg 47
        assertThat(X86_64.byteReadingSyscalls()).containsExactlyInAnyOrder(0, 17, 19, 295, 327, 45, 47);
        // write 1, pwrite64 18, writev 20, pwritev 296, pwritev2 328, sendto 44, sendmsg 46, sendfile 40
        assertThat(X86_64.byteWritingSyscalls()).containsExactlyInAnyOrder(1, 18, 20, 296, 328, 44, 46, 40);
    }

    @Test
    void byteCountingSyscallsAarch64() {
        // read 63, pread64 67, readv 65, preadv 69, preadv2 286, recvfrom 207, recvmsg 212
        assertThat(AARCH64.byteReadingSyscalls()).containsExactlyInAnyOrder(63, 67, 65, 69, 286, 207, 212);
        // write 64, pwrite64 68, writev 66, pwritev 70, pwritev2 287, sendto 206, sendmsg 211, sendfile 71
        assertThat(AARCH64.byteWritingSyscalls()).containsExactlyInAnyOrder(64, 68, 66, 70, 287, 206, 211, 71);
    }

    @Test
    void byteCountingArraysAreCopies() {
        X86_64.byteReadingSyscalls()[0] = -1;
        X86_64.byteWritingSyscalls()[0] = -1;

        assertThat(X86_64.byteReadingSyscalls()).contains(0).doesNotContain(-1);
        assertThat(X86_64.byteWritingSyscalls()).contains(1).doesNotContain(-1);
    }
}
