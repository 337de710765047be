package io.github.kerneltrace.probes.syscalls;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ErrnoTest {

    @ParameterizedTest
    @CsvSource({
            "1, EPERM",
            "2, ENOENT",
            "4, EINTR",
            "9, EBADF",
            "11, EAGAIN", // not its alias EWOULDBLOCK
            "13, EACCES",
            "28, ENOSPC",
            "35, EDEADLK", // not its alias EDEADLOCK
            "110, ETIMEDOUT",
            "133, EHWPOISON",
    })
    void knownNames(int errno, String name) {
        assertThat(Errno.name(errno)).isEqualTo(name);
    }

    @ParameterizedTest
    @CsvSource({
            "0, E0",
            "41, E41", // a hole in the numbering
            "512, E512", // the kernel-internal ERESTARTSYS never reaches user space
            "-2, E-2",
    })
    void unknownNumbers(int errno, String name) {
        assertThat(Errno.name(errno)).isEqualTo(name);
    }
}
