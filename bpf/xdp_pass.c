// The seed README's "dummy" program: XDP_PASS on the peer veth. Kernels before 6.0 deliver
// XDP-redirected frames to a veth only when its peer has an XDP program
// (https://github.com/xdp-project/xdp-tutorial/issues/160).
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

SEC("xdp")
int xdp_pass(struct xdp_md *ctx)
{
	return XDP_PASS;
}

char _license[] SEC("license") = "GPL";
