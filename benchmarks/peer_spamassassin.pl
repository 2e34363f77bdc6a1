#!/usr/bin/perl
# SpamAssassin as a benchmark peer of headertrace.trace (benchmarks/bench_trace.py).
#
# Reads batches from stdin: a line with a count N, then N message paths. For each message:
# Mail::SpamAssassin::parse and the message metadata (the Received relays: what
# SpamAssassin's own trace is). Answers each batch with one line: the CPU seconds it took.
# No rules are loaded and no network test runs; only parsing is measured.
use strict;
use warnings;
use Mail::SpamAssassin;
use Mail::SpamAssassin::PerMsgStatus;

my $empty = $ARGV[0] or die "usage: $0 EMPTY_DIR\n";
my $sa = Mail::SpamAssassin->new({
    rules_filename      => $empty,
    site_rules_filename => $empty,
    userprefs_filename  => "$empty/user_prefs",
    local_tests_only    => 1,
    dont_copy_prefs     => 1,
});
$sa->init(0);
$| = 1;
print "ready $Mail::SpamAssassin::VERSION\n";

while (my $count = <STDIN>) {
    chomp $count;
    my @paths = map { my $p = <STDIN>; chomp $p; $p } 1 .. $count;
    my @texts = map { local $/; open(my $fh, '<:raw', $_) or die "$_: $!"; scalar <$fh> } @paths;
    my ($user0, $system0) = times;
    my $relays = 0;
    for my $text (@texts) {
        my $msg = $sa->parse($text);
        my $pms = Mail::SpamAssassin::PerMsgStatus->new($sa, $msg);
        $pms->extract_message_metadata();
        $relays += $pms->{num_relays_trusted} + $pms->{num_relays_untrusted};
        $pms->finish();
        $msg->finish();
    }
    my ($user1, $system1) = times;
    printf "%.6f %d\n", ($user1 - $user0) + ($system1 - $system0), $relays;
}
