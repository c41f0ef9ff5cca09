package io.cellos.telemetry.guest.linux;

/**
 * The kernel's helper functions an eBPF program of this project calls, by their number in
 * {@code enum bpf_func_id} ({@code <linux/bpf.h>}, {@code __BPF_FUNC_MAPPER}): the stable ABI a
 * {@code call} instruction names.
 */
public enum BpfHelper {
    /** {@code void *bpf_map_lookup_elem(map, const void *key)}: the value, or NULL. */
    MAP_LOOKUP_ELEM(1),
    /** {@code long bpf_map_update_elem(map, const void *key, const void *value, u64 flags)}: 0, or a negative error ({@code -EEXIST} under {@code BPF_NOEXIST}). */
    MAP_UPDATE_ELEM(2),
    /** {@code u64 bpf_ktime_get_ns(void)}: {@code CLOCK_MONOTONIC}, in nanoseconds. */
    KTIME_GET_NS(5),
    /** {@code u64 bpf_get_current_pid_tgid(void)}: the thread-group id (process) in the upper 32 bits, the thread's in the lower. */
    GET_CURRENT_PID_TGID(14),
    /** {@code long bpf_get_current_comm(void *buf, u32 size)}: the current thread's name, NUL-terminated. */
    GET_CURRENT_COMM(16),
    /** {@code u64 bpf_get_current_task(void)}: the current thread's {@code struct task_struct *}, as a number to read from. */
    GET_CURRENT_TASK(35),
    /** {@code u64 bpf_get_socket_cookie(ctx)}: the socket's number, unique on this boot, never reused. */
    GET_SOCKET_COOKIE(46),
    /**
     * {@code long bpf_get_stack(void *ctx, void *buf, u32 size, u64 flags)}: the kernel stack's
     * return addresses where the program's event fired (innermost first), {@code flags} 0 and
     * {@code ctx} the program's own; the bytes written, or a negative error.
     */
    GET_STACK(67),
    /** {@code long bpf_probe_read_user(void *dst, u32 size, const void *unsafe_ptr)}: 0, or a negative error (and {@code dst} zeroed). */
    PROBE_READ_USER(112),
    /** {@code long bpf_probe_read_kernel(void *dst, u32 size, const void *unsafe_ptr)}: 0, or a negative error (and {@code dst} zeroed). */
    PROBE_READ_KERNEL(113),
    /** {@code long bpf_probe_read_kernel_str(void *dst, u32 size, const void *unsafe_ptr)}: the length with the NUL, or a negative error. */
    PROBE_READ_KERNEL_STR(115),
    /** {@code void *bpf_ringbuf_reserve(ringbuf, u64 size, u64 flags)}: a record to fill, or NULL when the ring is full. */
    RINGBUF_RESERVE(131),
    /** {@code void bpf_ringbuf_submit(void *data, u64 flags)}: commits a reserved record. */
    RINGBUF_SUBMIT(132),
    /** {@code u64 bpf_ringbuf_query(void *ringbuf, u64 flags)}: with {@code BPF_RB_AVAIL_DATA} (0), the bytes written and not yet consumed. */
    RINGBUF_QUERY(134),
    /** {@code struct task_struct *bpf_get_current_task_btf(void)}: the current thread, as a pointer the verifier knows the type of. */
    GET_CURRENT_TASK_BTF(158),
    /** {@code long bpf_task_pt_regs(struct task_struct *task)}: the user registers the thread saved on entering the kernel ({@code task_pt_regs}). */
    TASK_PT_REGS(175);

    /** The helper's number. */
    public final int id;

    BpfHelper(int id) {
        this.id = id;
    }
}
