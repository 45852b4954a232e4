// SPDX-License-Identifier: GPL-2.0-only
/*
 * KUnit tests for TC classifiers and actions called through lib/dispatcher
 * (include/net/tc_wrapper.h).
 *
 * A test classifier kind and a test action kind are registered as a module
 * would register them, with register_tcf_proto_ops() and
 * tcf_register_action(); filters of the classifier kind are added to and
 * deleted from an ingress qdisc on the loopback device with rtnetlink
 * requests, as tc(8) sends them, and actions are created and released
 * with tcf_idr_create() and tcf_idr_release(), as every action does.  A
 * kind is a target of its dispatcher exactly while a filter or action of
 * it exists, one reference each; registering the kind alone does not make
 * it one, so no classifier or action built into the kernel is a target
 * before its first filter; a failed registration with a dispatcher does
 * not fail the filter or the action; tc_classify() and tc_act() equal the
 * plain calls; and calls on every CPU stay right while the test adds and
 * deletes filters and actions.
 *
 * Run with:
 *	./tools/testing/kunit/kunit.py run --kunitconfig=lib/dispatcher/kunit
 */

#include <kunit/test.h>
#include <linux/dispatcher.h>
#include <linux/kthread.h>
#include <linux/module.h>
#include <linux/net.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <linux/skbuff.h>
#include <net/netlink.h>
#include <net/netns/generic.h>
#include <net/act_api.h>
#include <net/net_namespace.h>
#include <net/pkt_cls.h>
#include <net/sch_generic.h>
#include <net/tc_wrapper.h>

#include "../dispatcher_internal.h"
#include "dispatcher_kunit.h"

/* Two of each, A and B, and a third one that is never registered. */
#define TC_KUNIT_A		0
#define TC_KUNIT_B		1
#define TC_KUNIT_NEVER		2
#define TC_KUNIT_FNS		3

/* Results depend on the arguments, to show that they arrived. */
static noinline int tc_kunit_classify_a(struct sk_buff *skb,
					const struct tcf_proto *tp,
					struct tcf_result *res)
{
	res->classid = skb->mark + 1;
	return tp->prio + 10;
}

static noinline int tc_kunit_classify_b(struct sk_buff *skb,
					const struct tcf_proto *tp,
					struct tcf_result *res)
{
	res->classid = skb->mark + 2;
	return tp->prio + 20;
}

static noinline int tc_kunit_classify_never(struct sk_buff *skb,
					    const struct tcf_proto *tp,
					    struct tcf_result *res)
{
	res->classid = skb->mark + 3;
	return tp->prio + 30;
}

static noinline int tc_kunit_act_a(struct sk_buff *skb,
				   const struct tc_action *a,
				   struct tcf_result *res)
{
	res->classid = skb->mark + 4;
	return a->tcfa_index + 40;
}

static noinline int tc_kunit_act_b(struct sk_buff *skb,
				   const struct tc_action *a,
				   struct tcf_result *res)
{
	res->classid = skb->mark + 5;
	return a->tcfa_index + 50;
}

static noinline int tc_kunit_act_never(struct sk_buff *skb,
				       const struct tc_action *a,
				       struct tcf_result *res)
{
	res->classid = skb->mark + 6;
	return a->tcfa_index + 60;
}

/*
 * The test classifier kinds hold at most one filter per tcf_proto, in
 * tp->data.  Creating one with handle TC_KUNIT_BAD_HANDLE fails, after
 * the tcf_proto has been initialised.
 */
#define TC_KUNIT_BAD_HANDLE	0xbad

static int tc_kunit_cls_init(struct tcf_proto *tp)
{
	return 0;
}

static void tc_kunit_cls_destroy(struct tcf_proto *tp, bool rtnl_held,
				 struct netlink_ext_ack *extack)
{
}

static void *tc_kunit_cls_get(struct tcf_proto *tp, u32 handle)
{
	return tp->data;
}

static int tc_kunit_cls_change(struct net *net, struct sk_buff *in_skb,
			       struct tcf_proto *tp, unsigned long base,
			       u32 handle, struct nlattr **tca, void **arg,
			       u32 flags, struct netlink_ext_ack *extack)
{
	if (handle == TC_KUNIT_BAD_HANDLE)
		return -EINVAL;
	tp->data = tp;
	*arg = tp->data;
	return 0;
}

static int tc_kunit_cls_delete(struct tcf_proto *tp, void *arg, bool *last,
			       bool rtnl_held, struct netlink_ext_ack *extack)
{
	tp->data = NULL;
	*last = true;
	return 0;
}

static void tc_kunit_cls_walk(struct tcf_proto *tp, struct tcf_walker *arg,
			      bool rtnl_held)
{
	if (tp->data && arg->count >= arg->skip &&
	    arg->fn(tp, tp->data, arg) < 0) {
		arg->stop = 1;
		return;
	}
	arg->count++;
}

static int tc_kunit_cls_dump(struct net *net, struct tcf_proto *tp, void *fh,
			     struct sk_buff *skb, struct tcmsg *t,
			     bool rtnl_held)
{
	return skb->len;
}

static int tc_kunit_act_init(struct net *net, struct nlattr *nla,
			     struct nlattr *est, struct tc_action **a,
			     struct tcf_proto *tp, u32 flags,
			     struct netlink_ext_ack *extack)
{
	return -EOPNOTSUPP;
}

static int tc_kunit_act_dump(struct sk_buff *skb, struct tc_action *a,
			     int bind, int ref)
{
	return -EOPNOTSUPP;
}

static int tc_kunit_act_walk(struct net *net, struct sk_buff *skb,
			     struct netlink_callback *cb, int type,
			     const struct tc_action_ops *ops,
			     struct netlink_ext_ack *extack)
{
	return 0;
}

static int tc_kunit_act_lookup(struct net *net, struct tc_action **a,
			       u32 index)
{
	return 0;
}

#define TC_KUNIT_CLS_OPS(name, fn)					\
	{								\
		.kind		= name,					\
		.classify	= fn,					\
		.init		= tc_kunit_cls_init,			\
		.destroy	= tc_kunit_cls_destroy,			\
		.get		= tc_kunit_cls_get,			\
		.change		= tc_kunit_cls_change,			\
		.delete		= tc_kunit_cls_delete,			\
		.walk		= tc_kunit_cls_walk,			\
		.dump		= tc_kunit_cls_dump,			\
		.owner		= THIS_MODULE,				\
	}

static struct tcf_proto_ops tc_kunit_cls_ops[] = {
	[TC_KUNIT_A] = TC_KUNIT_CLS_OPS("kunit_disp_a", tc_kunit_classify_a),
	[TC_KUNIT_B] = TC_KUNIT_CLS_OPS("kunit_disp_b", tc_kunit_classify_b),
};

#define TC_KUNIT_ACT_OPS(name, tca_id, fn)				\
	{								\
		.kind		= name,					\
		.id		= tca_id,				\
		.owner		= THIS_MODULE,				\
		.act		= fn,					\
		.dump		= tc_kunit_act_dump,			\
		.lookup		= tc_kunit_act_lookup,			\
		.init		= tc_kunit_act_init,			\
		.walk		= tc_kunit_act_walk,			\
		.size		= sizeof(struct tc_action),		\
	}

static struct tc_action_ops tc_kunit_act_ops[] = {
	[TC_KUNIT_A] = TC_KUNIT_ACT_OPS("kunit_disp_a", TCA_ID_MAX - 1,
					tc_kunit_act_a),
	[TC_KUNIT_B] = TC_KUNIT_ACT_OPS("kunit_disp_b", TCA_ID_MAX - 2,
					tc_kunit_act_b),
};

/* Each action kind's table of actions per netns, as every action has. */
static __net_init int tc_kunit_act_net_init_a(struct net *net)
{
	struct tc_action_ops *ops = &tc_kunit_act_ops[TC_KUNIT_A];

	return tc_action_net_init(net, net_generic(net, ops->net_id), ops);
}

static __net_init int tc_kunit_act_net_init_b(struct net *net)
{
	struct tc_action_ops *ops = &tc_kunit_act_ops[TC_KUNIT_B];

	return tc_action_net_init(net, net_generic(net, ops->net_id), ops);
}

static void __net_exit tc_kunit_act_net_exit_a(struct list_head *net_list)
{
	tc_action_net_exit(net_list, tc_kunit_act_ops[TC_KUNIT_A].net_id);
}

static void __net_exit tc_kunit_act_net_exit_b(struct list_head *net_list)
{
	tc_action_net_exit(net_list, tc_kunit_act_ops[TC_KUNIT_B].net_id);
}

static struct pernet_operations tc_kunit_act_net_ops[] = {
	[TC_KUNIT_A] = {
		.init		= tc_kunit_act_net_init_a,
		.exit_batch	= tc_kunit_act_net_exit_a,
		.id		= &tc_kunit_act_ops[TC_KUNIT_A].net_id,
		.size		= sizeof(struct tc_action_net),
	},
	[TC_KUNIT_B] = {
		.init		= tc_kunit_act_net_init_b,
		.exit_batch	= tc_kunit_act_net_exit_b,
		.id		= &tc_kunit_act_ops[TC_KUNIT_B].net_id,
		.size		= sizeof(struct tc_action_net),
	},
};

/* What the test has registered, for the exit function to undo. */
static bool tc_kunit_cls_on[ARRAY_SIZE(tc_kunit_cls_ops)];
static bool tc_kunit_act_on[ARRAY_SIZE(tc_kunit_act_ops)];

static int tc_kunit_cls_set(unsigned int k, bool on)
{
	int err = 0;

	if (on)
		err = register_tcf_proto_ops(&tc_kunit_cls_ops[k]);
	else
		unregister_tcf_proto_ops(&tc_kunit_cls_ops[k]);
	if (!err)
		tc_kunit_cls_on[k] = on;
	return err;
}

static int tc_kunit_act_set(unsigned int k, bool on)
{
	int err;

	if (on)
		err = tcf_register_action(&tc_kunit_act_ops[k],
					  &tc_kunit_act_net_ops[k]);
	else
		err = tcf_unregister_action(&tc_kunit_act_ops[k],
					    &tc_kunit_act_net_ops[k]);
	if (!err)
		tc_kunit_act_on[k] = on;
	return err;
}

/*
 * rtnetlink requests from a kernel socket that has a file, so that
 * rtnetlink sees the test's credentials (CAP_NET_ADMIN), as it sees tc's.
 */
static struct socket *tc_kunit_sock;
static struct file *tc_kunit_file;
static u32 tc_kunit_seq;

static int tc_kunit_nl_open(void)
{
	struct socket *sock;
	struct file *file;
	int err;

	err = sock_create_kern(&init_net, AF_NETLINK, SOCK_RAW, NETLINK_ROUTE,
			       &sock);
	if (err)
		return err;
	file = sock_alloc_file(sock, 0, NULL);	/* releases @sock on error */
	if (IS_ERR(file))
		return PTR_ERR(file);
	tc_kunit_sock = sock;
	tc_kunit_file = file;
	return 0;
}

static void tc_kunit_nl_close(void)
{
	if (tc_kunit_file)
		fput(tc_kunit_file);
	tc_kunit_file = NULL;
	tc_kunit_sock = NULL;
}

/*
 * Send one tcmsg request on the loopback device and return the error its
 * acknowledgment carries: 0, or what tc(8) would print.
 */
static int tc_kunit_rtnl(int type, u16 flags, u32 parent, u32 handle,
			 u32 info, const char *kind)
{
	struct sockaddr_nl nladdr = { .nl_family = AF_NETLINK };
	struct msghdr msg = {
		.msg_name	= &nladdr,
		.msg_namelen	= sizeof(nladdr),
	};
	struct nlmsghdr *nlh;
	struct sk_buff *skb;
	struct tcmsg *tcm;
	struct kvec iov;
	void *buf;
	int err;

	skb = nlmsg_new(NLMSG_DEFAULT_SIZE, GFP_KERNEL);
	if (!skb)
		return -ENOMEM;
	nlh = nlmsg_put(skb, 0, ++tc_kunit_seq, type, sizeof(*tcm),
			NLM_F_REQUEST | NLM_F_ACK | flags);
	tcm = nlmsg_data(nlh);
	memset(tcm, 0, sizeof(*tcm));
	tcm->tcm_family = AF_UNSPEC;
	tcm->tcm_ifindex = LOOPBACK_IFINDEX;
	tcm->tcm_parent = parent;
	tcm->tcm_handle = handle;
	tcm->tcm_info = info;
	if (kind && nla_put_string(skb, TCA_KIND, kind)) {
		kfree_skb(skb);
		return -EMSGSIZE;
	}
	nlmsg_end(skb, nlh);

	iov = (struct kvec){ .iov_base = skb->data, .iov_len = skb->len };
	err = kernel_sendmsg(tc_kunit_sock, &msg, &iov, 1, skb->len);
	kfree_skb(skb);
	if (err < 0)
		return err;

	/* rtnetlink has answered by now: the request ran in this task. */
	buf = kmalloc(NLMSG_GOODSIZE, GFP_KERNEL);
	if (!buf)
		return -ENOMEM;
	iov = (struct kvec){ .iov_base = buf, .iov_len = NLMSG_GOODSIZE };
	memset(&msg, 0, sizeof(msg));
	err = kernel_recvmsg(tc_kunit_sock, &msg, &iov, 1, NLMSG_GOODSIZE,
			     MSG_DONTWAIT);
	nlh = buf;
	if (err >= (int)nlmsg_msg_size(sizeof(struct nlmsgerr)) &&
	    nlh->nlmsg_type == NLMSG_ERROR)
		err = ((struct nlmsgerr *)nlmsg_data(nlh))->error;
	else if (err >= 0)
		err = -EPROTO;
	kfree(buf);
	return err;
}

/* tcm_info of a filter: its priority and protocol (all) */
static u32 tc_kunit_info(u16 prio)
{
	return TC_H_MAKE((u32)prio << 16, (__force u16)htons(ETH_P_ALL));
}

/* tc qdisc add dev lo ingress */
static int tc_kunit_qdisc(bool add)
{
	return tc_kunit_rtnl(add ? RTM_NEWQDISC : RTM_DELQDISC,
			     add ? NLM_F_CREATE | NLM_F_EXCL : 0,
			     TC_H_INGRESS, TC_H_MAKE(TC_H_INGRESS, 0), 0,
			     add ? "ingress" : NULL);
}

/* tc filter add dev lo parent ffff: prio @prio handle @handle kunit_disp_<k> */
static int tc_kunit_filter_add(unsigned int k, u16 prio, u32 handle, u16 flags)
{
	return tc_kunit_rtnl(RTM_NEWTFILTER, flags, TC_H_MAKE(TC_H_INGRESS, 0),
			     handle, tc_kunit_info(prio), tc_kunit_cls_ops[k].kind);
}

/* tc filter del dev lo parent ffff: prio @prio: the whole tcf_proto */
static int tc_kunit_filter_del(u16 prio)
{
	return tc_kunit_rtnl(RTM_DELTFILTER, 0, TC_H_MAKE(TC_H_INGRESS, 0), 0,
			     tc_kunit_info(prio), NULL);
}

/* Actions the test has created, for the exit function to release. */
#define TC_KUNIT_MAX_ACTS	8
static struct tc_action *tc_kunit_acts[TC_KUNIT_MAX_ACTS];

/* An action of kind @k, created as every action's ->init creates one. */
static int tc_kunit_action_new(unsigned int k, unsigned int slot)
{
	struct tc_action_ops *ops = &tc_kunit_act_ops[k];

	return tcf_idr_create(net_generic(&init_net, ops->net_id), slot + 1,
			      NULL, &tc_kunit_acts[slot], ops, false, false, 0);
}

static int tc_kunit_action_put(unsigned int slot)
{
	struct tc_action *a = tc_kunit_acts[slot];

	tc_kunit_acts[slot] = NULL;
	return a ? tcf_idr_release(a, false) : 0;
}

/* A minimal packet, filters and actions for the test functions. */
struct tc_kunit_objs {
	struct sk_buff skb;
	struct tcf_proto tp[TC_KUNIT_FNS];
	struct tc_action act[TC_KUNIT_FNS];
	struct tc_action_ops never_ops;
};

static struct tc_kunit_objs *tc_kunit_objs_new(struct kunit *test)
{
	static const DISPATCHER_FN_T(tc_classify) classify[TC_KUNIT_FNS] = {
		tc_kunit_classify_a, tc_kunit_classify_b,
		tc_kunit_classify_never,
	};
	struct tc_kunit_objs *o;
	unsigned int k;

	o = kunit_kzalloc(test, sizeof(*o), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, o);
	o->skb.mark = 1000;
	o->never_ops.act = tc_kunit_act_never;
	for (k = 0; k < TC_KUNIT_FNS; k++) {
		o->tp[k].classify = classify[k];
		o->tp[k].prio = 100 * k;
		o->act[k].ops = k == TC_KUNIT_NEVER ? &o->never_ops :
						      &tc_kunit_act_ops[k];
		o->act[k].tcfa_index = 100 * k + 1;
	}
	return o;
}

/* Whether tc_classify() and tc_act() on @o's objects equal direct calls. */
static bool tc_kunit_classify_ok(struct tc_kunit_objs *o, unsigned int k)
{
	const struct tcf_proto *tp = &o->tp[k];
	struct tcf_result got = {}, want = {};

	/* tc_classify is called under RCU only, as on the packet path. */
	guard(rcu)();
	return tc_classify(&o->skb, tp, &got) ==
	       tp->classify(&o->skb, tp, &want) &&
	       got.classid == want.classid;
}

static bool tc_kunit_act_ok(struct tc_kunit_objs *o, unsigned int k)
{
	const struct tc_action *a = &o->act[k];
	struct tcf_result got = {}, want = {};

	guard(rcu)();
	return tc_act(&o->skb, a, &got) == a->ops->act(&o->skb, a, &want) &&
	       got.classid == want.classid;
}

static void tc_kunit_expect_calls(struct kunit *test, struct tc_kunit_objs *o)
{
	unsigned int k;

	for (k = 0; k < TC_KUNIT_FNS; k++) {
		KUNIT_EXPECT_TRUE_MSG(test, tc_kunit_classify_ok(o, k),
				      "%ps", o->tp[k].classify);
		KUNIT_EXPECT_TRUE_MSG(test, tc_kunit_act_ok(o, k),
				      "%ps", o->act[k].ops->act);
	}
}

/*
 * A classifier kind is a target of tc_classify exactly while a filter
 * (tcf_proto) of it exists, one reference per tcf_proto: not when the kind
 * is registered, not after its filters are deleted, not after a creation
 * that failed.
 */
static void tc_kunit_test_classify(struct kunit *test)
{
	struct dispatcher *d = &DISPATCHER(tc_classify);
	struct tc_kunit_objs *o = tc_kunit_objs_new(test);
	int ret;

	KUNIT_EXPECT_EQ(test, users_of(d, tc_kunit_classify_a), 0);
	KUNIT_EXPECT_EQ(test, users_of(d, tc_kunit_classify_b), 0);
	tc_kunit_expect_calls(test, o);

	KUNIT_ASSERT_EQ(test, tc_kunit_filter_add(TC_KUNIT_A, 1, 1,
						  NLM_F_CREATE | NLM_F_EXCL), 0);
	KUNIT_EXPECT_EQ(test, users_of(d, tc_kunit_classify_a), 1);
	KUNIT_EXPECT_EQ(test, users_of(d, tc_kunit_classify_b), 0);
	KUNIT_EXPECT_NOT_NULL(test, d->image);	/* calls go through the JIT */
	tc_kunit_expect_calls(test, o);
	scoped_guard(rcu)
		ret = tc_classify(&o->skb, &o->tp[TC_KUNIT_A],
				  &(struct tcf_result){});
	KUNIT_EXPECT_EQ(test, ret, 10);

	/* A second tcf_proto of the kind, a second reference. */
	KUNIT_ASSERT_EQ(test, tc_kunit_filter_add(TC_KUNIT_A, 2, 1,
						  NLM_F_CREATE | NLM_F_EXCL), 0);
	KUNIT_EXPECT_EQ(test, users_of(d, tc_kunit_classify_a), 2);
	/* Replacing a filter keeps its tcf_proto: nothing changes. */
	KUNIT_ASSERT_EQ(test, tc_kunit_filter_add(TC_KUNIT_A, 2, 1,
						  NLM_F_CREATE | NLM_F_REPLACE), 0);
	KUNIT_EXPECT_EQ(test, users_of(d, tc_kunit_classify_a), 2);
	/* A tcf_proto whose first filter fails is destroyed again. */
	KUNIT_EXPECT_EQ(test, tc_kunit_filter_add(TC_KUNIT_B, 3,
						  TC_KUNIT_BAD_HANDLE,
						  NLM_F_CREATE | NLM_F_EXCL),
			-EINVAL);
	KUNIT_EXPECT_EQ(test, users_of(d, tc_kunit_classify_b), 0);
	/* Registering the kind again fails and registers nothing. */
	KUNIT_EXPECT_EQ(test, register_tcf_proto_ops(&tc_kunit_cls_ops[TC_KUNIT_A]),
			-EEXIST);
	KUNIT_EXPECT_EQ(test, users_of(d, tc_kunit_classify_a), 2);

	KUNIT_EXPECT_EQ(test, tc_kunit_filter_del(1), 0);
	KUNIT_EXPECT_EQ(test, users_of(d, tc_kunit_classify_a), 1);
	KUNIT_EXPECT_EQ(test, tc_kunit_filter_del(2), 0);
	KUNIT_EXPECT_EQ(test, users_of(d, tc_kunit_classify_a), 0);
	KUNIT_EXPECT_EQ(test, tc_kunit_filter_del(2), -ENOENT);
	tc_kunit_expect_calls(test, o);

	/* Deleting the qdisc destroys the filters left on it. */
	KUNIT_ASSERT_EQ(test, tc_kunit_filter_add(TC_KUNIT_B, 4, 1,
						  NLM_F_CREATE | NLM_F_EXCL), 0);
	KUNIT_EXPECT_EQ(test, users_of(d, tc_kunit_classify_b), 1);
	KUNIT_EXPECT_EQ(test, tc_kunit_qdisc(false), 0);
	KUNIT_EXPECT_EQ(test, users_of(d, tc_kunit_classify_b), 0);
}

/*
 * An action kind is a target of tc_act exactly while an action of it
 * exists, one reference per action.
 */
static void tc_kunit_test_act(struct kunit *test)
{
	struct dispatcher *d = &DISPATCHER(tc_act);
	struct tc_kunit_objs *o = tc_kunit_objs_new(test);
	int ret;

	KUNIT_EXPECT_EQ(test, users_of(d, tc_kunit_act_a), 0);
	tc_kunit_expect_calls(test, o);

	KUNIT_ASSERT_EQ(test, tc_kunit_action_new(TC_KUNIT_A, 0), 0);
	KUNIT_EXPECT_TRUE(test, tc_kunit_acts[0]->dispatched);
	KUNIT_EXPECT_EQ(test, users_of(d, tc_kunit_act_a), 1);
	KUNIT_EXPECT_EQ(test, users_of(d, tc_kunit_act_b), 0);
	KUNIT_EXPECT_EQ(test, users_of(d, tc_kunit_act_never), 0);
	KUNIT_EXPECT_NOT_NULL(test, d->image);
	tc_kunit_expect_calls(test, o);
	scoped_guard(rcu)
		ret = tc_act(&o->skb, &o->act[TC_KUNIT_A], &(struct tcf_result){});
	KUNIT_EXPECT_EQ(test, ret, 41);
	scoped_guard(rcu)
		ret = tc_act(&o->skb, tc_kunit_acts[0], &(struct tcf_result){});
	KUNIT_EXPECT_EQ(test, ret, 41);	/* index 1 */

	KUNIT_ASSERT_EQ(test, tc_kunit_action_new(TC_KUNIT_A, 1), 0);
	KUNIT_ASSERT_EQ(test, tc_kunit_action_new(TC_KUNIT_B, 2), 0);
	KUNIT_EXPECT_EQ(test, users_of(d, tc_kunit_act_a), 2);
	KUNIT_EXPECT_EQ(test, users_of(d, tc_kunit_act_b), 1);

	KUNIT_EXPECT_EQ(test, tc_kunit_action_put(0), ACT_P_DELETED);
	KUNIT_EXPECT_EQ(test, users_of(d, tc_kunit_act_a), 1);
	KUNIT_EXPECT_EQ(test, tc_kunit_action_put(2), ACT_P_DELETED);
	KUNIT_EXPECT_EQ(test, users_of(d, tc_kunit_act_b), 0);
	KUNIT_EXPECT_EQ(test, tc_kunit_action_put(1), ACT_P_DELETED);
	KUNIT_EXPECT_EQ(test, users_of(d, tc_kunit_act_a), 0);
	tc_kunit_expect_calls(test, o);
}

/*
 * When the dispatcher cannot take a classifier or an action, creating the
 * filter or the action still succeeds, calls stay right, and deleting it
 * leaves the dispatcher alone (no WARN for an unknown target).
 */
static void tc_kunit_test_register_fails(struct kunit *test)
{
	struct dispatcher *cls = &DISPATCHER(tc_classify);
	struct dispatcher *act = &DISPATCHER(tc_act);
	struct tc_kunit_objs *o = tc_kunit_objs_new(test);
	unsigned long updates = cls->nr_updates + act->nr_updates;
	int cls_err, act_err;

	dk_set_ops(cls, &dk_fail_ops);
	dk_set_ops(act, &dk_fail_ops);
	cls_err = tc_kunit_filter_add(TC_KUNIT_A, 1, 1,
				      NLM_F_CREATE | NLM_F_EXCL);
	act_err = tc_kunit_action_new(TC_KUNIT_A, 0);
	dk_set_ops(cls, NULL);
	dk_set_ops(act, NULL);
	KUNIT_ASSERT_EQ(test, cls_err, 0);
	KUNIT_ASSERT_EQ(test, act_err, 0);
	KUNIT_EXPECT_EQ(test, cls->jit_err, -ENOMEM);
	KUNIT_EXPECT_EQ(test, act->jit_err, -ENOMEM);

	KUNIT_EXPECT_FALSE(test, tc_kunit_acts[0]->dispatched);
	KUNIT_EXPECT_EQ(test, users_of(cls, tc_kunit_classify_a), 0);
	KUNIT_EXPECT_EQ(test, users_of(act, tc_kunit_act_a), 0);
	tc_kunit_expect_calls(test, o);

	KUNIT_EXPECT_EQ(test, tc_kunit_filter_del(1), 0);
	KUNIT_EXPECT_EQ(test, tc_kunit_action_put(0), ACT_P_DELETED);
	KUNIT_EXPECT_EQ(test, cls->nr_updates + act->nr_updates, updates);
	tc_kunit_expect_calls(test, o);
}

/* The classifiers and actions the kernel may have built in. */
static const struct tc_kunit_builtin {
	const char *name;
	bool builtin;
	bool act;
} tc_kunit_builtins[] = {
	{ "basic_classify",	IS_BUILTIN(CONFIG_NET_CLS_BASIC) },
	{ "cls_bpf_classify",	IS_BUILTIN(CONFIG_NET_CLS_BPF) },
	{ "cls_cgroup_classify", IS_BUILTIN(CONFIG_NET_CLS_CGROUP) },
	{ "fl_classify",	IS_BUILTIN(CONFIG_NET_CLS_FLOWER) },
	{ "flow_classify",	IS_BUILTIN(CONFIG_NET_CLS_FLOW) },
	{ "fw_classify",	IS_BUILTIN(CONFIG_NET_CLS_FW) },
	{ "mall_classify",	IS_BUILTIN(CONFIG_NET_CLS_MATCHALL) },
	{ "route4_classify",	IS_BUILTIN(CONFIG_NET_CLS_ROUTE4) },
	{ "u32_classify",	IS_BUILTIN(CONFIG_NET_CLS_U32) },
	{ "tcf_bpf_act",	IS_BUILTIN(CONFIG_NET_ACT_BPF), true },
	{ "tcf_connmark_act",	IS_BUILTIN(CONFIG_NET_ACT_CONNMARK), true },
	{ "tcf_csum_act",	IS_BUILTIN(CONFIG_NET_ACT_CSUM), true },
	{ "tcf_ct_act",		IS_BUILTIN(CONFIG_NET_ACT_CT), true },
	{ "tcf_ctinfo_act",	IS_BUILTIN(CONFIG_NET_ACT_CTINFO), true },
	{ "tcf_gact_act",	IS_BUILTIN(CONFIG_NET_ACT_GACT), true },
	{ "tcf_gate_act",	IS_BUILTIN(CONFIG_NET_ACT_GATE), true },
	{ "tcf_ife_act",	IS_BUILTIN(CONFIG_NET_ACT_IFE), true },
	{ "tcf_mirred_act",	IS_BUILTIN(CONFIG_NET_ACT_MIRRED), true },
	{ "tcf_mpls_act",	IS_BUILTIN(CONFIG_NET_ACT_MPLS), true },
	{ "tcf_nat_act",	IS_BUILTIN(CONFIG_NET_ACT_NAT), true },
	{ "tcf_pedit_act",	IS_BUILTIN(CONFIG_NET_ACT_PEDIT), true },
	{ "tcf_police_act",	IS_BUILTIN(CONFIG_NET_ACT_POLICE), true },
	{ "tcf_sample_act",	IS_BUILTIN(CONFIG_NET_ACT_SAMPLE), true },
	{ "tcf_simp_act",	IS_BUILTIN(CONFIG_NET_ACT_SIMP), true },
	{ "tcf_skbedit_act",	IS_BUILTIN(CONFIG_NET_ACT_SKBEDIT), true },
	{ "tcf_skbmod_act",	IS_BUILTIN(CONFIG_NET_ACT_SKBMOD), true },
	{ "tcf_vlan_act",	IS_BUILTIN(CONFIG_NET_ACT_VLAN), true },
	{ "tunnel_key_act",	IS_BUILTIN(CONFIG_NET_ACT_TUNNEL_KEY), true },
};

/* The number of @d's targets that kallsyms names @name. */
static unsigned int tc_kunit_named(struct dispatcher *d, const char *name)
{
	char sym[KSYM_SYMBOL_LEN];
	unsigned int i, n = 0;

	guard(mutex)(&d->mutex);
	for (i = 0; i < d->nr_targets; i++) {
		snprintf(sym, sizeof(sym), "%ps", (void *)d->targets[i].addr);
		n += !strcmp(sym, name);
	}
	return n;
}

/*
 * No built-in classifier or action is a target before a filter or an
 * action of its kind exists, and none exists here: the test's own kinds
 * show that a filter makes its kind one.
 */
static void tc_kunit_test_builtin(struct kunit *test)
{
	const struct tc_kunit_builtin *b;
	unsigned int checked = 0;
	struct dispatcher *d;

	if (!IS_ENABLED(CONFIG_KALLSYMS))
		kunit_skip(test, "needs CONFIG_KALLSYMS to name targets");
	for (b = tc_kunit_builtins; b < tc_kunit_builtins +
	     ARRAY_SIZE(tc_kunit_builtins); b++) {
		if (!b->builtin)
			continue;
		d = b->act ? &DISPATCHER(tc_act) : &DISPATCHER(tc_classify);
		KUNIT_EXPECT_EQ_MSG(test, tc_kunit_named(d, b->name), 0,
				    "%s in dispatcher %s", b->name, d->name);
		checked++;
	}
	if (!checked)
		kunit_skip(test, "no classifier or action built in");
	KUNIT_EXPECT_EQ(test, DISPATCHER(tc_classify).nr_targets, 0);
	KUNIT_EXPECT_EQ(test, DISPATCHER(tc_act).nr_targets, 0);
	kunit_info(test, "%u built-in classifiers and actions", checked);
}

/*
 * How the callers of the concurrency test enter the dispatchers: through
 * tc_classify() and tc_act(), whose static_call sites are patched on every
 * update, or through the function each static_call key points at, as a
 * trampoline (and UML's generic static_call) does.
 */
enum tc_kunit_entry {
	TC_KUNIT_CALL,
	TC_KUNIT_KEY,
};

static const char *const tc_kunit_entry_names[] = {
	[TC_KUNIT_CALL] = "tc_classify",
	[TC_KUNIT_KEY] = "static_call key",
};

static void tc_kunit_entry_desc(const enum tc_kunit_entry *e, char *desc)
{
	strscpy(desc, tc_kunit_entry_names[*e], KUNIT_PARAM_DESC_SIZE);
}

static const enum tc_kunit_entry tc_kunit_entries[] = {
	TC_KUNIT_CALL, TC_KUNIT_KEY,
};

KUNIT_ARRAY_PARAM(tc_kunit_churn, tc_kunit_entries, tc_kunit_entry_desc);

/* Unregister and register again, this many times. */
#define TC_KUNIT_ROUNDS		50

struct tc_kunit_churn {
	enum tc_kunit_entry entry;
	struct tc_kunit_objs *o;
	atomic_t wrong;
	atomic_long_t calls;
};

typedef int (*tc_kunit_cls_image_t)(struct sk_buff *skb,
				    const struct tcf_proto *tp,
				    struct tcf_result *res,
				    DISPATCHER_FN_T(tc_classify) fn);
typedef int (*tc_kunit_act_image_t)(struct sk_buff *skb,
				    const struct tc_action *a,
				    struct tcf_result *res,
				    DISPATCHER_FN_T(tc_act) fn);

static bool tc_kunit_churn_ok(struct tc_kunit_churn *c, unsigned int k)
{
	struct tc_kunit_objs *o = c->o;
	const struct tcf_proto *tp = &o->tp[k];
	const struct tc_action *a = &o->act[k];
	tc_kunit_cls_image_t cls_image;
	tc_kunit_act_image_t act_image;
	struct tcf_result got = {}, want = {};
	bool ok;

	if (c->entry == TC_KUNIT_CALL)
		return tc_kunit_classify_ok(o, k) && tc_kunit_act_ok(o, k);

	/* Nothing may free an image until this RCU read-side section ends. */
	guard(rcu)();
	cls_image = READ_ONCE(DISPATCHER(tc_classify).sc_key->func);
	ok = cls_image(&o->skb, tp, &got, tp->classify) ==
	     tp->classify(&o->skb, tp, &want) && got.classid == want.classid;
	act_image = READ_ONCE(DISPATCHER(tc_act).sc_key->func);
	return ok && act_image(&o->skb, a, &got, a->ops->act) ==
		     a->ops->act(&o->skb, a, &want) &&
	       got.classid == want.classid;
}

/* Classify and act with every test function until told to stop. */
static int tc_kunit_caller(void *data)
{
	struct tc_kunit_churn *c = data;
	unsigned int k;

	while (!kthread_should_stop()) {
		for (k = 0; k < TC_KUNIT_FNS; k++)
			if (!tc_kunit_churn_ok(c, k))
				atomic_inc(&c->wrong);
		atomic_long_add(2 * TC_KUNIT_FNS, &c->calls);
		/* cond_resched() is no quiescent state for RCU tasks. */
		cond_resched_tasks_rcu_qs();
	}
	return 0;
}

/*
 * One round: A's filter and action deleted and created again, counting the
 * times the dispatchers list A when they should not or not when they
 * should.
 */
static int tc_kunit_churn_round(unsigned int *wrong_lists)
{
	struct dispatcher *cls = &DISPATCHER(tc_classify);
	struct dispatcher *act = &DISPATCHER(tc_act);
	int err;

	err = tc_kunit_filter_del(1);
	if (err)
		return err;
	if (tc_kunit_action_put(0) != ACT_P_DELETED)
		return -EBUSY;
	*wrong_lists += users_of(cls, tc_kunit_classify_a) != 0;
	*wrong_lists += users_of(act, tc_kunit_act_a) != 0;
	err = tc_kunit_filter_add(TC_KUNIT_A, 1, 1, NLM_F_CREATE | NLM_F_EXCL) ?:
	      tc_kunit_action_new(TC_KUNIT_A, 0);
	if (err)
		return err;
	*wrong_lists += users_of(cls, tc_kunit_classify_a) != 1;
	*wrong_lists += users_of(act, tc_kunit_act_a) != 1;
	return 0;
}

/*
 * Wait, a second at most, until the callers have made calls since @calls.
 * On one CPU (UML) an updater that never sleeps would otherwise finish
 * every round before a caller first runs.
 */
static void tc_kunit_let_callers_run(struct tc_kunit_churn *c, long calls)
{
	unsigned int i;

	for (i = 0; i < HZ && atomic_long_read(&c->calls) == calls; i++)
		schedule_timeout_uninterruptible(1);
}

/*
 * Calls on every CPU, through classifiers and actions in the images and
 * not, stay right while the test deletes and creates A's filter and
 * action; B's stay throughout.
 */
static void tc_kunit_test_churn(struct kunit *test)
{
	const enum tc_kunit_entry *entry = test->param_value;
	struct dispatcher *cls = &DISPATCHER(tc_classify);
	struct dispatcher *act = &DISPATCHER(tc_act);
	unsigned long updates = cls->nr_updates + act->nr_updates;
	struct tc_kunit_churn c = { .entry = *entry };
	unsigned int i, wrong_lists = 0;
	struct task_struct **callers;
	int cpu, err = 0;
	ktime_t start;

	if (c.entry == TC_KUNIT_CALL && churn_site_unsafe())
		kunit_skip(test, "multi-threaded TCG cannot patch live sites (x86_64-live)");
	if (c.entry != TC_KUNIT_CALL && dispatcher_kunit_live())
		kunit_skip(test, "the x86_64 boot enters through the key");

	c.o = tc_kunit_objs_new(test);
	callers = kunit_kcalloc(test, nr_cpu_ids, sizeof(*callers), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, callers);
	for (i = 0; i < ARRAY_SIZE(tc_kunit_cls_ops); i++) {
		KUNIT_ASSERT_EQ(test, tc_kunit_filter_add(i, i + 1, 1,
							  NLM_F_CREATE |
							  NLM_F_EXCL), 0);
		KUNIT_ASSERT_EQ(test, tc_kunit_action_new(i, i), 0);
	}

	for_each_online_cpu(cpu) {
		callers[cpu] = kthread_run_on_cpu(tc_kunit_caller, &c, cpu,
						  "dispatcher_tc/%u");
		if (IS_ERR(callers[cpu])) {
			err = PTR_ERR(callers[cpu]);
			callers[cpu] = NULL;
			break;
		}
	}

	start = ktime_get();
	for (i = 0; i < TC_KUNIT_ROUNDS && !err; i++) {
		long calls = atomic_long_read(&c.calls);

		err = tc_kunit_churn_round(&wrong_lists);
		tc_kunit_let_callers_run(&c, calls);
	}
	kunit_info(test, "%u rounds, %lu updates in %lld ms, %ld calls on %u CPUs",
		   i, cls->nr_updates + act->nr_updates - updates,
		   ktime_ms_delta(ktime_get(), start),
		   atomic_long_read(&c.calls), num_online_cpus());

	for_each_online_cpu(cpu)
		if (callers[cpu])
			kthread_stop(callers[cpu]);
	KUNIT_EXPECT_EQ(test, err, 0);
	KUNIT_EXPECT_EQ(test, wrong_lists, 0);
	KUNIT_EXPECT_EQ(test, atomic_read(&c.wrong), 0);
	KUNIT_EXPECT_GT(test, atomic_long_read(&c.calls), 0);
}

static enum dispatcher_mode tc_kunit_saved_mode;

/*
 * Build images whatever this CPU's mitigation and the command line say;
 * register the test's kinds and give the loopback device an ingress qdisc
 * for their filters.
 */
static int tc_kunit_init(struct kunit *test)
{
	unsigned int k;
	int err;

	tc_kunit_saved_mode = dispatcher_mode;
	dispatcher_mode = DISPATCHER_MODE_ON;
	/* Each case starts with no image retiring, so updates build theirs. */
	dispatcher_barrier();
	for (k = 0; k < ARRAY_SIZE(tc_kunit_cls_ops); k++) {
		err = tc_kunit_cls_set(k, true) ?: tc_kunit_act_set(k, true);
		if (err)
			return err;
	}
	return tc_kunit_nl_open() ?: tc_kunit_qdisc(true);
}

/* Undo what a case, failed or not, left. */
static void tc_kunit_exit(struct kunit *test)
{
	unsigned int k;

	if (tc_kunit_sock)
		tc_kunit_qdisc(false);	/* -ENOENT if the case deleted it */
	tc_kunit_nl_close();
	for (k = 0; k < TC_KUNIT_MAX_ACTS; k++)
		tc_kunit_action_put(k);
	for (k = 0; k < ARRAY_SIZE(tc_kunit_cls_ops); k++)
		if (tc_kunit_cls_on[k])
			tc_kunit_cls_set(k, false);
	for (k = 0; k < ARRAY_SIZE(tc_kunit_act_ops); k++)
		if (tc_kunit_act_on[k])
			tc_kunit_act_set(k, false);
	dispatcher_mode = tc_kunit_saved_mode;
}

static struct kunit_case dispatcher_tc_cases[] = {
	KUNIT_CASE(tc_kunit_test_classify),
	KUNIT_CASE(tc_kunit_test_act),
	KUNIT_CASE(tc_kunit_test_register_fails),
	KUNIT_CASE(tc_kunit_test_builtin),
	KUNIT_CASE_PARAM_ATTR(tc_kunit_test_churn, tc_kunit_churn_gen_params,
			      { .speed = KUNIT_SPEED_SLOW }),
	{}
};

static struct kunit_suite dispatcher_tc_suite = {
	.name = "dispatcher_tc",
	.suite_init = dk_learn_off,
	.suite_exit = dk_learn_restore,
	.init = tc_kunit_init,
	.exit = tc_kunit_exit,
	.test_cases = dispatcher_tc_cases,
};

kunit_test_suite(dispatcher_tc_suite);
