// SPDX-License-Identifier: GPL-2.0-only
/*
 * KUnit tests for netfilter hook functions called through lib/dispatcher
 * (nf_hook_entry_hookfn() in include/linux/netfilter.h).
 *
 * Test hook functions are registered with nf_register_net_hook(), as any
 * netfilter user registers them, in the initial network namespace and in
 * new ones, for IPv4, IPv6 and NFPROTO_INET (both).  A hook function is a
 * target of the nf_hooks dispatcher exactly while at least one of its
 * registrations exists, with one reference whatever their number; packets
 * sent through nf_hook() get netfilter's verdicts (accept, drop with an
 * errno, stolen, queue with and without bypass) from a function in the
 * image; nf_hook_entry_hookfn() returns what the plain call returns for
 * every verdict value; and a failed registration with the dispatcher does
 * not fail the hook's.
 *
 * Run with:
 *	./tools/testing/kunit/kunit.py run --kunitconfig=lib/dispatcher/kunit
 */

#include <kunit/test.h>
#include <linux/dispatcher.h>
#include <linux/netfilter.h>
#include <linux/netfilter_ipv4.h>
#include <linux/sched.h>
#include <linux/skbuff.h>
#include <linux/user_namespace.h>
#include <net/net_namespace.h>

#include "../dispatcher_internal.h"
#include "dispatcher_kunit.h"

/* What a test hook does with a packet, by skb->mark. */
enum nf_kunit_mark {
	NF_KUNIT_ACCEPT,
	NF_KUNIT_DROP,
	NF_KUNIT_DROP_ERR,
	NF_KUNIT_STOLEN,
	NF_KUNIT_QUEUE,
	NF_KUNIT_QUEUE_BYPASS,
	NF_KUNIT_MARKS
};

/* The verdict for @mark, as a hook function returns it. */
static unsigned int nf_kunit_verdict(u32 mark)
{
	switch (mark) {
	case NF_KUNIT_DROP:
		return NF_DROP;
	case NF_KUNIT_DROP_ERR:
		return NF_DROP_ERR(-EHOSTUNREACH);
	case NF_KUNIT_STOLEN:
		return NF_STOLEN;
	case NF_KUNIT_QUEUE:
		return NF_QUEUE_NR(3);
	case NF_KUNIT_QUEUE_BYPASS:
		return NF_QUEUE_NR(3) | NF_VERDICT_FLAG_QUEUE_BYPASS;
	default:
		return NF_ACCEPT;
	}
}

/* Calls of a test hook, through its priv: how many, by whom, with what. */
struct nf_kunit_calls {
	atomic_t calls;
	unsigned int who;
	struct net *net;
	unsigned int hook;
};

static unsigned int nf_kunit_hook(void *priv, struct sk_buff *skb,
				  const struct nf_hook_state *state,
				  unsigned int who)
{
	struct nf_kunit_calls *c = priv;
	unsigned int verdict = nf_kunit_verdict(skb->mark);

	if (c) {
		atomic_inc(&c->calls);
		c->who = who;
		c->net = state->net;
		c->hook = state->hook;
	}
	/* A hook that steals a packet owns it. */
	if (verdict == NF_STOLEN)
		kfree_skb(skb);
	return verdict;
}

static noinline unsigned int nf_kunit_hook_a(void *priv, struct sk_buff *skb,
					     const struct nf_hook_state *state)
{
	return nf_kunit_hook(priv, skb, state, 1);
}

static noinline unsigned int nf_kunit_hook_b(void *priv, struct sk_buff *skb,
					     const struct nf_hook_state *state)
{
	return nf_kunit_hook(priv, skb, state, 2);
}

/* Never registered: calls through nf_hooks still reach it. */
static noinline unsigned int nf_kunit_hook_never(void *priv,
						 struct sk_buff *skb,
						 const struct nf_hook_state *state)
{
	return nf_kunit_hook(priv, skb, state, 3);
}

static enum dispatcher_mode nf_kunit_saved_mode;

/* The netns a case created, released by the exit. */
#define NF_KUNIT_MAX_NETS	3
static struct net *nf_kunit_nets[NF_KUNIT_MAX_NETS];

static struct net *nf_kunit_net_new(struct kunit *test, unsigned int i)
{
	struct net *net;

	net = copy_net_ns(CLONE_NEWNET, &init_user_ns, &init_net);
	KUNIT_ASSERT_FALSE_MSG(test, IS_ERR(net), "copy_net_ns: %ld",
			       PTR_ERR(net));
	nf_kunit_nets[i] = net;
	return net;
}

/* An nf_hook_ops of @hook, for @pf and @hooknum, kept by KUnit. */
static struct nf_hook_ops *nf_kunit_ops(struct kunit *test, nf_hookfn *hook,
					void *priv, u8 pf,
					unsigned int hooknum)
{
	struct nf_hook_ops *ops;

	ops = kunit_kzalloc(test, sizeof(*ops), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, ops);
	ops->hook = hook;
	ops->priv = priv;
	ops->pf = pf;
	ops->hooknum = hooknum;
	ops->priority = NF_IP_PRI_FILTER;
	return ops;
}

/*
 * A hook function is one target of nf_hooks, with one reference, while
 * any registration of it exists: in several netns, for IPv4 and IPv6,
 * through NFPROTO_INET (one registration per family), and through
 * different nf_hook_ops; only the first registration and the last
 * unregistration change the image.
 */
static void nf_kunit_test_targets(struct kunit *test)
{
	struct dispatcher *d = &DISPATCHER(nf_hooks);
	struct nf_hook_ops *v4, *v6, *inet, *b;
	struct net *n1, *n2;
	unsigned long updates;

	n1 = nf_kunit_net_new(test, 0);
	n2 = nf_kunit_net_new(test, 1);
	v4 = nf_kunit_ops(test, nf_kunit_hook_a, NULL, NFPROTO_IPV4,
			  NF_INET_LOCAL_OUT);
	v6 = nf_kunit_ops(test, nf_kunit_hook_a, NULL, NFPROTO_IPV6,
			  NF_INET_LOCAL_OUT);
	inet = nf_kunit_ops(test, nf_kunit_hook_a, NULL, NFPROTO_INET,
			    NF_INET_PRE_ROUTING);
	b = nf_kunit_ops(test, nf_kunit_hook_b, NULL, NFPROTO_IPV4,
			 NF_INET_POST_ROUTING);
	KUNIT_ASSERT_EQ(test, users_of(d, nf_kunit_hook_a), 0);

	updates = d->nr_updates;
	KUNIT_ASSERT_EQ(test, nf_register_net_hook(&init_net, v4), 0);
	KUNIT_EXPECT_EQ(test, users_of(d, nf_kunit_hook_a), 1);
	KUNIT_EXPECT_EQ(test, d->nr_updates, updates + 1);
	if (IS_ENABLED(CONFIG_DISPATCHER_IMAGES))
		KUNIT_EXPECT_NOT_NULL(test, READ_ONCE(d->image));

	updates = d->nr_updates;
	KUNIT_ASSERT_EQ(test, nf_register_net_hook(n1, v4), 0);
	KUNIT_ASSERT_EQ(test, nf_register_net_hook(n2, v4), 0);
	KUNIT_ASSERT_EQ(test, nf_register_net_hook(n1, v6), 0);
	KUNIT_ASSERT_EQ(test, nf_register_net_hook(n2, inet), 0);
	KUNIT_EXPECT_EQ(test, users_of(d, nf_kunit_hook_a), 1);
	KUNIT_EXPECT_EQ(test, d->nr_updates, updates);

	KUNIT_ASSERT_EQ(test, nf_register_net_hook(n1, b), 0);
	KUNIT_EXPECT_EQ(test, users_of(d, nf_kunit_hook_b), 1);
	KUNIT_EXPECT_EQ(test, d->nr_updates, updates + 1);
	KUNIT_EXPECT_EQ(test, users_of(d, nf_kunit_hook_never), 0);

	/* Any order; the function goes with its last registration. */
	nf_unregister_net_hook(&init_net, v4);
	nf_unregister_net_hook(n2, inet);
	nf_unregister_net_hook(n1, v6);
	nf_unregister_net_hook(n2, v4);
	KUNIT_EXPECT_EQ(test, users_of(d, nf_kunit_hook_a), 1);
	nf_unregister_net_hook(n1, b);
	KUNIT_EXPECT_EQ(test, users_of(d, nf_kunit_hook_b), 0);
	KUNIT_EXPECT_EQ(test, users_of(d, nf_kunit_hook_a), 1);
	nf_unregister_net_hook(n1, v4);
	KUNIT_EXPECT_EQ(test, users_of(d, nf_kunit_hook_a), 0);
}

/* Send a packet marked @mark through @net's IPv4 LOCAL_OUT hooks. */
static int nf_kunit_send(struct kunit *test, struct net *net, u32 mark)
{
	struct sk_buff *skb;
	int ret;

	skb = alloc_skb(64, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, skb);
	skb->mark = mark;
	local_bh_disable();
	ret = nf_hook(NFPROTO_IPV4, NF_INET_LOCAL_OUT, net, NULL, skb, NULL,
		      NULL, NULL);
	local_bh_enable();
	/* Accepted, the packet is the caller's; otherwise it is gone. */
	if (ret == 1)
		kfree_skb(skb);
	return ret;
}

/*
 * Packets through nf_hook() get netfilter's verdicts from hook functions
 * that are in the image: 1 (go on) for an accept or a queue verdict with
 * bypass and no queue handler, the errno of a drop, 0 for a stolen packet
 * or a queue verdict without bypass; each hook in the chain runs with the
 * state nf_hook() made.
 */
static void nf_kunit_test_verdicts(struct kunit *test)
{
	static const int want[NF_KUNIT_MARKS] = {
		[NF_KUNIT_ACCEPT]	= 1,
		[NF_KUNIT_DROP]		= -EPERM,
		[NF_KUNIT_DROP_ERR]	= -EHOSTUNREACH,
		[NF_KUNIT_STOLEN]	= 0,
		[NF_KUNIT_QUEUE]	= 0,
		[NF_KUNIT_QUEUE_BYPASS]	= 1,
	};
	struct dispatcher *d = &DISPATCHER(nf_hooks);
	struct nf_kunit_calls *ca, *cb;
	struct nf_hook_ops *a, *b;
	struct net *net;
	u32 mark;

	net = nf_kunit_net_new(test, 0);
	ca = kunit_kzalloc(test, sizeof(*ca), GFP_KERNEL);
	cb = kunit_kzalloc(test, sizeof(*cb), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, ca);
	KUNIT_ASSERT_NOT_NULL(test, cb);
	a = nf_kunit_ops(test, nf_kunit_hook_a, ca, NFPROTO_IPV4,
			 NF_INET_LOCAL_OUT);
	b = nf_kunit_ops(test, nf_kunit_hook_b, cb, NFPROTO_IPV4,
			 NF_INET_LOCAL_OUT);
	/* b runs first, with the same verdicts: a sees what b lets go on. */
	b->priority = NF_IP_PRI_FILTER - 1;
	KUNIT_ASSERT_EQ(test, nf_register_net_hook(net, a), 0);
	KUNIT_ASSERT_EQ(test, nf_register_net_hook(net, b), 0);
	KUNIT_EXPECT_EQ(test, users_of(d, nf_kunit_hook_a), 1);
	KUNIT_EXPECT_EQ(test, users_of(d, nf_kunit_hook_b), 1);

	for (mark = 0; mark < NF_KUNIT_MARKS; mark++) {
		int calls_a = atomic_read(&ca->calls);
		int calls_b = atomic_read(&cb->calls);

		KUNIT_EXPECT_EQ_MSG(test, nf_kunit_send(test, net, mark),
				    want[mark], "mark %u", mark);
		/* b's verdict ends the chain unless it goes on. */
		KUNIT_EXPECT_EQ(test, atomic_read(&cb->calls), calls_b + 1);
		KUNIT_EXPECT_EQ_MSG(test, atomic_read(&ca->calls),
				    calls_a + (want[mark] == 1),
				    "mark %u", mark);
		KUNIT_EXPECT_PTR_EQ(test, cb->net, net);
		KUNIT_EXPECT_EQ(test, cb->hook, NF_INET_LOCAL_OUT);
		KUNIT_EXPECT_EQ(test, cb->who, 2);
	}
	KUNIT_EXPECT_EQ(test, ca->who, 1);
	nf_unregister_net_hook(net, b);
	nf_unregister_net_hook(net, a);
	KUNIT_EXPECT_EQ(test, users_of(d, nf_kunit_hook_a), 0);
	KUNIT_EXPECT_EQ(test, users_of(d, nf_kunit_hook_b), 0);
}

/*
 * nf_hook_entry_hookfn() returns what the plain call returns, all 32 bits
 * of it, for every kind of verdict and for a registered hook function, one
 * that is not and one that never was.
 */
static void nf_kunit_test_hookfn(struct kunit *test)
{
	static nf_hookfn * const hooks[] = {
		nf_kunit_hook_a, nf_kunit_hook_b, nf_kunit_hook_never,
	};
	struct nf_hook_state state = { .hook = NF_INET_LOCAL_OUT,
				       .pf = NFPROTO_IPV4, .net = &init_net };
	struct nf_hook_ops *a;
	struct sk_buff *skb;
	unsigned int i;
	u32 mark;

	a = nf_kunit_ops(test, nf_kunit_hook_a, NULL, NFPROTO_IPV4,
			 NF_INET_LOCAL_OUT);
	KUNIT_ASSERT_EQ(test, nf_register_net_hook(&init_net, a), 0);
	KUNIT_EXPECT_EQ(test, users_of(&DISPATCHER(nf_hooks), nf_kunit_hook_a),
			1);
	for (i = 0; i < ARRAY_SIZE(hooks); i++) {
		/* NF_STOLEN is left out: the hook would free the packet. */
		for (mark = 0; mark < NF_KUNIT_MARKS; mark++) {
			struct nf_hook_entry e = { .hook = hooks[i] };
			unsigned int want;
			int got;

			if (mark == NF_KUNIT_STOLEN)
				continue;
			skb = alloc_skb(0, GFP_KERNEL);
			KUNIT_ASSERT_NOT_NULL(test, skb);
			skb->mark = mark;
			rcu_read_lock();
			got = nf_hook_entry_hookfn(&e, skb, &state);
			want = hooks[i](NULL, skb, &state);
			rcu_read_unlock();
			kfree_skb(skb);
			KUNIT_EXPECT_EQ_MSG(test, (unsigned int)got, want,
					    "%ps, mark %u", hooks[i], mark);
			KUNIT_EXPECT_EQ(test, want, nf_kunit_verdict(mark));
		}
	}
	nf_unregister_net_hook(&init_net, a);
}

/*
 * When the dispatcher cannot take a hook function, registering the hook
 * still succeeds, packets get the hook's verdicts, and unregistering it
 * leaves the dispatcher alone (no WARN for an unknown target).
 */
static void nf_kunit_test_register_fails(struct kunit *test)
{
	struct dispatcher *d = &DISPATCHER(nf_hooks);
	struct nf_kunit_calls *ca;
	struct nf_hook_ops *a;
	unsigned long updates;
	struct net *net;
	int err;

	net = nf_kunit_net_new(test, 0);
	ca = kunit_kzalloc(test, sizeof(*ca), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, ca);
	a = nf_kunit_ops(test, nf_kunit_hook_a, ca, NFPROTO_IPV4,
			 NF_INET_LOCAL_OUT);

	dk_set_ops(d, &dk_fail_ops);
	err = nf_register_net_hook(net, a);
	dk_set_ops(d, NULL);
	KUNIT_ASSERT_EQ(test, err, 0);
	KUNIT_EXPECT_EQ(test, d->jit_err, -ENOMEM);
	KUNIT_EXPECT_EQ(test, users_of(d, nf_kunit_hook_a), 0);

	KUNIT_EXPECT_EQ(test, nf_kunit_send(test, net, NF_KUNIT_DROP_ERR),
			-EHOSTUNREACH);
	KUNIT_EXPECT_EQ(test, nf_kunit_send(test, net, NF_KUNIT_ACCEPT), 1);
	KUNIT_EXPECT_EQ(test, atomic_read(&ca->calls), 2);

	updates = d->nr_updates;
	nf_unregister_net_hook(net, a);
	KUNIT_EXPECT_EQ(test, d->nr_updates, updates);
	KUNIT_EXPECT_EQ(test, users_of(d, nf_kunit_hook_a), 0);
}

/* Build images whatever this CPU's mitigation and the command line say. */
static int nf_kunit_init(struct kunit *test)
{
	nf_kunit_saved_mode = dispatcher_mode;
	dispatcher_mode = DISPATCHER_MODE_ON;
	/* Each case starts with no image retiring, so updates build theirs. */
	dispatcher_barrier();
	return 0;
}

/* Release the netns of a case, failed or not, with what it registered. */
static void nf_kunit_exit(struct kunit *test)
{
	unsigned int i;

	for (i = 0; i < NF_KUNIT_MAX_NETS; i++) {
		if (nf_kunit_nets[i])
			put_net(nf_kunit_nets[i]);
		nf_kunit_nets[i] = NULL;
	}
	dispatcher_mode = nf_kunit_saved_mode;
}

static struct kunit_case dispatcher_nf_cases[] = {
	KUNIT_CASE(nf_kunit_test_targets),
	KUNIT_CASE(nf_kunit_test_verdicts),
	KUNIT_CASE(nf_kunit_test_hookfn),
	KUNIT_CASE(nf_kunit_test_register_fails),
	{}
};

static struct kunit_suite dispatcher_nf_suite = {
	.name = "dispatcher_nf",
	.suite_init = dk_learn_off,
	.suite_exit = dk_learn_restore,
	.init = nf_kunit_init,
	.exit = nf_kunit_exit,
	.test_cases = dispatcher_nf_cases,
};

kunit_test_suite(dispatcher_nf_suite);
