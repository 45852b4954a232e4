// SPDX-License-Identifier: GPL-2.0-only
/*
 * The XDP program of the make run scenario (init): drop IPv4 packets
 * whose TTL is DROP_TTL and pass everything else.  A plain ping then
 * shows the program passing packets and "ping -t 7" shows it running,
 * whichever way it was attached.
 *
 * Built by mk/run.sh with clang -target bpf and attached by iproute2:
 *	ip link set dev veth0 xdpgeneric obj xdp_ttl.o sec xdp
 */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

#define DROP_TTL	7

SEC("xdp")
int xdp_ttl_drop(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	struct iphdr *iph = data + sizeof(*eth);

	if ((void *)(iph + 1) > data_end)
		return XDP_PASS;
	if (eth->h_proto != bpf_htons(ETH_P_IP))
		return XDP_PASS;
	return iph->ttl == DROP_TTL ? XDP_DROP : XDP_PASS;
}

char _license[] SEC("license") = "GPL";
