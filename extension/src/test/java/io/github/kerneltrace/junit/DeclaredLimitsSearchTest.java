package io.github.kerneltrace.junit;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The shortcut that spares most test methods the families' sixteen annotation searches must never
 * skip a method that declares a limit: directly, repeated, or through a composed annotation.
 */
class DeclaredLimitsSearchTest {

    @Retention(RetentionPolicy.RUNTIME)
    @MaxSyscalls(value = 1, syscall = "write")
    @interface OneWrite {
    }

    @Retention(RetentionPolicy.RUNTIME)
    @OneWrite
    @interface ComposedTwice {
    }

    @org.junit.jupiter.api.Tag("fixture")
    static class Methods {
        @Test
        @DisplayName("plain")
        @Timeout(5)
        void plain() {
        }

        @Test
        @MaxSyscalls(1)
        void direct() {
        }

        @Test
        @MaxSyscalls(value = 1, syscall = "write")
        @MaxSyscalls(value = 0, syscall = "fsync")
        void repeated() {
        }

        @Test
        @ComposedTwice
        void composed() {
        }

        @Test
        @KernelTrace
        void tracedOnly() {
        }
    }

    @Test
    void onlyMethodsWithoutAnyKernelTraceAnnotationAreSkipped() throws NoSuchMethodException {
        assertThat(DeclaredLimits.mayCarryLimits(Methods.class.getDeclaredMethod("plain"))).isFalse();
        assertThat(DeclaredLimits.mayCarryLimits(Methods.class.getDeclaredMethod("direct"))).isTrue();
        assertThat(DeclaredLimits.mayCarryLimits(Methods.class.getDeclaredMethod("repeated"))).isTrue();
        assertThat(DeclaredLimits.mayCarryLimits(Methods.class.getDeclaredMethod("composed"))).isTrue();
        assertThat(DeclaredLimits.mayCarryLimits(Methods.class.getDeclaredMethod("tracedOnly"))).isTrue();
    }
}
