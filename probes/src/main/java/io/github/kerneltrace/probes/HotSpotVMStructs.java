package io.github.kerneltrace.probes;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.OptionalLong;

import com.sun.jna.NativeLibrary;
import com.sun.jna.Pointer;

/**
 * The field offsets HotSpot exports about itself: the table {@code gHotSpotVMStructs} in
 * {@code libjvm.so} (the one the serviceability agent reads), found with {@code dlsym}. Each
 * entry names a type and a field and gives the field's offset, or its address for a static field;
 * the layout of an entry is itself exported ({@code gHotSpotVMStructEntry*Offset}, {@code ...ArrayStride}).
 *
 * <p>Read once, in the constructor; immutable after.
 */
final class HotSpotVMStructs {

    /** "Type::field" to the field's offset (or a static field's address). */
    private final Map<String, Long> entries;

    private HotSpotVMStructs(Map<String, Long> entries) {
        this.entries = entries;
    }

    /**
     * The running JVM's table.
     *
     * @throws IllegalStateException when this JVM has no libjvm.so or does not export the table, saying so
     */
    static HotSpotVMStructs ofThisJvm() {
        Path libjvm = Path.of(System.getProperty("java.home"), "lib", "server", "libjvm.so");
        if (!Files.exists(libjvm)) {
            throw new IllegalStateException("this JVM has no " + libjvm + " (not HotSpot's server VM)");
        }
        NativeLibrary jvm;
        try {
            jvm = NativeLibrary.getInstance(libjvm.toString());
        } catch (UnsatisfiedLinkError e) {
            throw new IllegalStateException("cannot open " + libjvm + ": " + e.getMessage(), e);
        }
        try {
            long stride = exported(jvm, "gHotSpotVMStructEntryArrayStride");
            long typeName = exported(jvm, "gHotSpotVMStructEntryTypeNameOffset");
            long fieldName = exported(jvm, "gHotSpotVMStructEntryFieldNameOffset");
            long isStatic = exported(jvm, "gHotSpotVMStructEntryIsStaticOffset");
            long offset = exported(jvm, "gHotSpotVMStructEntryOffsetOffset");
            long address = exported(jvm, "gHotSpotVMStructEntryAddressOffset");
            Map<String, Long> entries = new HashMap<>();
            // the table ends with an entry whose type name is NULL
            for (Pointer entry = jvm.getGlobalVariableAddress("gHotSpotVMStructs").getPointer(0);
                    entry.getPointer(typeName) != null; entry = entry.share(stride)) {
                Pointer field = entry.getPointer(fieldName);
                if (field != null) {
                    long value = entry.getInt(isStatic) != 0 ? Pointer.nativeValue(entry.getPointer(address)) : entry.getLong(offset);
                    entries.put(entry.getPointer(typeName).getString(0) + "::" + field.getString(0), value);
                }
            }
            return new HotSpotVMStructs(Map.copyOf(entries));
        } catch (UnsatisfiedLinkError e) {
            throw new IllegalStateException(libjvm + " does not export HotSpot's gHotSpotVMStructs table: " + e.getMessage(), e);
        }
    }

    private static long exported(NativeLibrary jvm, String symbol) {
        return jvm.getGlobalVariableAddress(symbol).getLong(0);
    }

    /** A field's offset in its type (a static field's address), if the table lists it. */
    OptionalLong field(String type, String field) {
        Long value = entries.get(type + "::" + field);
        return value == null ? OptionalLong.empty() : OptionalLong.of(value);
    }

    /**
     * A field's offset, looked up in each type in turn: HotSpot moves fields between a class and
     * its superclass across versions (JavaThread::_osthread in JDK 17 is Thread::_osthread in 25).
     *
     * @throws IllegalStateException when no type lists it
     */
    long offset(String field, String... types) {
        for (String type : types) {
            OptionalLong value = field(type, field);
            if (value.isPresent()) {
                return value.getAsLong();
            }
        }
        throw new IllegalStateException("HotSpot's gHotSpotVMStructs lists no " + String.join(" or ", types) + "::" + field);
    }

    /** How many fields the table lists. */
    int size() {
        return entries.size();
    }
}
