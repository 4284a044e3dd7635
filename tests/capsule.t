#!/usr/bin/perl
# capsule.t — static checks of the shipped capsule (SPEC §3), TAP output.
#
# For every capsule/**/*.gmi:
#   - UTF-8, LF line endings, no control characters (TAB only inside
#     preformatted blocks);
#   - every line is a valid gemtext line: "=>" with a URL, headings "#",
#     "##", "###" followed by a space and text, list items "* text", quotes,
#     ``` toggles; no line that only looks like one of those;
#   - preformatted blocks balanced, their lines at most 67 columns;
#   - every link has a label; labels and headings fit in 67 columns;
#   - relative links: no fragment or query, no dot-file, never above the
#     capsule root, target exists (directories with a trailing slash);
#   - external URLs (gemini, gopher, http, https, mailto) well-formed;
#   - external URLs appear in ../shared/content/references.md (only when
#     that file exists next to the repository: no test line otherwise).
# And for the capsule as a whole: the required pages exist and are all
# reachable from index.gmi, robots.txt allows crawlers, every footnote
# marker [1]..[9] of the testimony is linked to an entry of references.gmi
# that exists, and — when ../shared/content/testimony-source.txt exists —
# testimony.gmi holds her text verbatim and in order.
# Editorial checks: testimony.gmi opens with an editor's note saying what
# is whose, and labels its links as the editor's; every page says when it
# was last updated and its sources checked, and its title says whose it
# is; and the capsule's own words never state as fact what only her
# testimony says (each such sentence names the testimony as its source).
#
# Run from anywhere: YURT_TOP (set by tests/run) or this file's parent.

use v5.36;
use utf8;
use Encode qw(decode FB_CROAK LEAVE_SRC);
use File::Basename qw(dirname);
use File::Find qw(find);
use Cwd qw(abs_path);

binmode STDOUT, ':encoding(UTF-8)';

# Static checks over one capsule, so one case for TESTS (tests/lib.sh):
# "capsule".  Any other selection leaves this file out.
if (length($ENV{TESTS} // '')) {
	my $sel = 0;
	for my $p (split /[ ,]+/, $ENV{TESTS}) {
		$p =~ s/^test_//;
		my $re = join '', map { $_ eq '*' ? '.*' : $_ eq '?' ? '.' : quotemeta }
		    split //, $p;
		$sel = 1 if 'capsule' =~ /\A$re\z/;
	}
	unless ($sel) {
		print "1..0 # SKIP no case of capsule.t in TESTS=$ENV{TESTS}\n";
		exit 0;
	}
}

my $top = $ENV{YURT_TOP} || abs_path(dirname(abs_path($0)) . '/..');
my $cap = "$top/capsule";
my $shared = "$top/../shared/content";
my $WIDTH = 67;

my ($n, $failures) = (0, 0);

sub ok ($cond, $desc, @diag) {
	$n++;
	if ($cond) {
		say "ok $n - $desc";
		return 1;
	}
	$failures++;
	say "not ok $n - $desc";
	my @show = @diag > 12 ? (@diag[0 .. 11], '... and ' . (@diag - 12) . ' more') : @diag;
	say "#   $_" for @show;
	return 0;
}

sub slurp_raw ($path) {
	open my $fh, '<:raw', $path or return undef;
	local $/;
	my $s = <$fh>;
	return $s // '';
}

# Decoded text, or undef plus an error if the bytes are not UTF-8.
sub slurp_utf8 ($path) {
	my $raw = slurp_raw($path);
	return (undef, "cannot read: $!") unless defined $raw;
	my $text = eval { decode('UTF-8', $raw, FB_CROAK | LEAVE_SRC) };
	return (decode('UTF-8', $raw), 'not valid UTF-8') unless defined $text;
	return ($text, undef);
}

sub cols ($s) {
	# Columns as a Gopher client counts them: characters, tabs to 8.
	my $c = 0;
	for my $ch (split //, $s) {
		$c = $ch eq "\t" ? ($c + 8 - $c % 8) : $c + 1;
	}
	return $c;
}

sub short ($s, $max = 60) {
	$s =~ s/([\x00-\x1f\x7f])/sprintf '\\x%02x', ord $1/ge;
	$s =~ s/\x{a0}/{nbsp}/g;
	return length($s) > $max ? substr($s, 0, $max) . '…' : $s;
}

# Parse gemtext into line records: {no, type, text, url, label, level}.
# Types: text, link, heading, list, quote, toggle, pre, bad.
sub parse_gmi ($text) {
	my @out;
	my $pre = 0;
	my $no = 0;
	my @lines = split /\n/, $text, -1;
	pop @lines if @lines && $lines[-1] eq '';
	for my $l (@lines) {
		$no++;
		my %r = (no => $no, raw => $l);
		if ($l =~ /^```/) {
			$pre = !$pre;
			$r{type} = 'toggle';
		} elsif ($pre) {
			$r{type} = 'pre';
		} elsif ($l =~ /^=>/) {
			if ($l =~ /^=>[ \t]*(\S+)(?:[ \t]+(.*?))?[ \t]*$/) {
				@r{qw(type url label)} = ('link', $1, $2 // '');
			} else {
				@r{qw(type why)} = ('bad', 'link line without a URL');
			}
		} elsif ($l =~ /^#/) {
			if ($l =~ /^(#{1,3}) (\S.*)$/) {
				@r{qw(type level text)} = ('heading', length $1, $2);
			} else {
				@r{qw(type why)} = ('bad', 'heading must be #, ## or ### then a space and text');
			}
		} elsif ($l =~ /^\*/) {
			if ($l =~ /^\* (\S.*)$/) {
				@r{qw(type text)} = ('list', $1);
			} else {
				@r{qw(type why)} = ('bad', 'list item must be "* " then text');
			}
		} elsif ($l =~ /^>/) {
			@r{qw(type text)} = ('quote', $l =~ s/^>\s?//r);
		} elsif ($l =~ /^[ \t\x{a0}]+(?:=>|#|\*|>|```)/) {
			@r{qw(type why)} = ('bad', 'leading whitespace turns this into a text line');
		} else {
			@r{qw(type text)} = ('text', $l);
		}
		push @out, \%r;
	}
	return (\@out, $pre);
}

# ---- the pages ------------------------------------------------------------

my @gmi;
if (-d $cap) {
	find({ no_chdir => 1, wanted => sub {
		my $name = $_;
		my $base = $name =~ s{.*/}{}r;
		if ($base =~ /^\./ && $name ne $cap) {
			$File::Find::prune = 1;
			return;
		}
		push @gmi, substr($name, length($cap) + 1) if -f $name && $name =~ /\.gmi$/;
	} }, $cap);
}
@gmi = sort @gmi;

my @required = qw(index.gmi profile.gmi testimony.gmi references.gmi timeline.gmi robots.txt);
my @missing = grep { !-f "$cap/$_" } @required;
ok(!@missing, 'capsule has index, profile, testimony, references, timeline and robots.txt',
   map { "missing: capsule/$_" } @missing);

# URLs known to be verified (references.md), when it is there.
my %verified;
my $refs_md = "$shared/references.md";
my $have_refs_md = -r $refs_md;
if ($have_refs_md) {
	my ($md) = slurp_utf8($refs_md);
	for my $tok (split /\s+/, $md // '') {
		$tok =~ s/^[<(]+//;
		$tok =~ s/[>),.;]+$//;
		$verified{$tok} = 1 if $tok =~ m{^(?:[a-z]+://|mailto:)}i;
	}
}

my %parsed;    # page => [records]
my %links;     # page => [relative targets resolved to capsule paths]

sub check_relative ($page, $url) {
	return ('has a fragment (Gemini servers reject fragments)', undef) if $url =~ /#/;
	return ('has a query string', undef) if $url =~ /\?/;
	return ('is a network-path reference (//host)', undef) if $url =~ m{^//};
	return ('has characters not allowed in a URL', undef)
		if $url =~ m{[^A-Za-z0-9\-._~!\$&'()*+,;=:@/%]};
	return ('has a bad percent-escape', undef) if $url =~ /%(?![0-9A-Fa-f]{2})/;
	my $path = $url =~ s/%([0-9A-Fa-f]{2})/chr hex $1/ger;
	return ('decodes to a NUL byte', undef) if $path =~ /\0/;
	my @seg;
	unless ($path =~ m{^/}) {
		my $dir = dirname($page);
		@seg = split m{/}, $dir unless $dir eq '.';
	}
	my @parts = split m{/}, $path, -1;
	for my $s (@parts) {
		next if $s eq '' || $s eq '.';
		if ($s eq '..') {
			return ('climbs above the capsule root', undef) unless @seg;
			pop @seg;
			next;
		}
		return ("names a dot-file ($s)", undef) if $s =~ /^\./;
		push @seg, $s;
	}
	my $rel = join '/', @seg;
	my $full = $rel eq '' ? $cap : "$cap/$rel";
	return ('target does not exist', undef) unless -e $full;
	# "dir/", "." and ".." all resolve to a directory with its slash.
	my $dirref = $parts[-1] =~ /^\.{0,2}$/;
	if (-d $full) {
		return ('links a directory without the trailing slash', undef) unless $dirref;
		$rel = $rel eq '' ? 'index.gmi' : "$rel/index.gmi";
	} elsif ($dirref) {
		return ('has a trailing slash but is a file', undef);
	}
	return (undef, $rel);
}

my $HOST = qr/(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,63}/;

sub check_external ($url) {
	return 'contains spaces, control or non-ASCII characters' if $url =~ /[^\x21-\x7e]/;
	return 'has characters not allowed in a URL'
		if $url =~ m{[^A-Za-z0-9\-._~:/?#\[\]@!\$&'()*+,;=%]};
	return 'has a bad percent-escape' if $url =~ /%(?![0-9A-Fa-f]{2})/;
	my ($scheme) = $url =~ /^([A-Za-z][A-Za-z0-9+.-]*):/;
	$scheme = lc($scheme // '');
	if ($scheme eq 'mailto') {
		return 'is not mailto:user@host'
			unless $url =~ /^mailto:[A-Za-z0-9.!\$&'*+=^_`{|}~-]+\@$HOST(?:\?\S*)?$/;
		return undef;
	}
	return "has an unsupported scheme ($scheme)"
		unless $scheme =~ /^(?:gemini|gopher|https?)$/;
	my ($host, $port, $frag) = $url =~ m{^[A-Za-z]+://($HOST)(?::(\d+))?(?:/[^?#]*)?(?:\?[^#]*)?(#.*)?$};
	return 'has no valid host (or has userinfo)' unless defined $host;
	return 'has a bad port' if defined $port && ($port < 1 || $port > 65535);
	return 'has a fragment (not allowed in gemini:// or gopher:// links)'
		if defined $frag && $scheme =~ /^(?:gemini|gopher)$/;
	return undef;
}

for my $page (@gmi) {
	my ($text, $err) = slurp_utf8("$cap/$page");
	my $raw = slurp_raw("$cap/$page") // '';
	my @enc;
	push @enc, $err if $err;
	push @enc, 'CR characters (lines must end in LF)' if $raw =~ /\r/;
	push @enc, 'does not end with a newline' if length $raw && $raw !~ /\n\z/;
	$text //= '';
	my ($recs, $open) = parse_gmi($text);
	$parsed{$page} = $recs;
	for my $r (@$recs) {
		my $l = $r->{raw};
		if ($l =~ /([\x00-\x08\x0a-\x1f\x7f])/) {
			push @enc, sprintf 'line %d: control character \\x%02x', $r->{no}, ord $1;
		} elsif ($l =~ /\t/ && $r->{type} ne 'pre') {
			push @enc, "line $r->{no}: TAB outside a preformatted block";
		}
	}
	ok(!@enc, "$page: UTF-8, LF line endings, no control characters", @enc);

	my @bad = map { "line $_->{no}: $_->{why}: " . short($_->{raw}) } grep { $_->{type} eq 'bad' } @$recs;
	ok(!@bad, "$page: every line is a valid gemtext line", @bad);

	my $toggles = grep { $_->{type} eq 'toggle' } @$recs;
	ok(!$open, "$page: preformatted blocks are balanced",
	   "$toggles ``` toggle line(s): a block is left open");

	my @wide = map { "line $_->{no}: " . cols($_->{raw}) . ' columns' }
		grep { $_->{type} eq 'pre' && cols($_->{raw}) > $WIDTH } @$recs;
	ok(!@wide, "$page: preformatted lines fit in $WIDTH columns", @wide);

	my @lab;
	for my $r (@$recs) {
		if ($r->{type} eq 'link') {
			if ($r->{label} !~ /\S/) {
				push @lab, "line $r->{no}: link without a label: $r->{url}";
			} elsif ($r->{label} !~ /\p{L}/) {
				push @lab, "line $r->{no}: label has no words: $r->{label}";
			} elsif (cols($r->{label}) > $WIDTH) {
				push @lab, "line $r->{no}: label is " . cols($r->{label}) . " columns";
			}
		} elsif ($r->{type} eq 'heading' && cols($r->{text}) > $WIDTH) {
			push @lab, "line $r->{no}: heading is " . cols($r->{text}) . " columns";
		}
	}
	ok(!@lab, "$page: every link has a label; labels and headings fit in $WIDTH columns", @lab);

	my (@rel_bad, @ext_bad, @unverified, $n_ext);
	for my $r (grep { $_->{type} eq 'link' } @$recs) {
		my $u = $r->{url};
		if ($u =~ /^[A-Za-z][A-Za-z0-9+.-]*:/) {
			$n_ext++;
			my $why = check_external($u);
			push @ext_bad, "line $r->{no}: $why: " . short($u) if $why;
			push @unverified, "line $r->{no}: not in references.md: " . short($u, 90)
				if $have_refs_md && !$verified{$u};
		} else {
			my ($why, $target) = check_relative($page, $u);
			if ($why) {
				push @rel_bad, "line $r->{no}: $u $why";
			} else {
				push @{$links{$page}}, $target;
			}
		}
	}
	ok(!@rel_bad, "$page: relative links resolve inside capsule/ (no fragment, no dot-file)", @rel_bad);
	ok(!@ext_bad, "$page: external URLs are well-formed", @ext_bad);
	ok(!@unverified, "$page: external URLs all come from references.md", @unverified)
		if $have_refs_md && $n_ext;
}

# ---- the capsule as a whole -------------------------------------------------

if (-f "$cap/index.gmi") {
	my %seen = ('index.gmi' => 1);
	my @queue = ('index.gmi');
	while (defined(my $p = shift @queue)) {
		for my $t (@{$links{$p} // []}) {
			next if $seen{$t}++;
			push @queue, $t if $t =~ /\.gmi$/;
		}
	}
	my @orphans = grep { !$seen{$_} } @gmi;
	ok(!@orphans, 'every page is reachable from index.gmi', map { "unreachable: $_" } @orphans);
}

{
	my @r;
	my ($robots) = slurp_utf8("$cap/robots.txt");
	if (!defined $robots) {
		push @r, 'capsule/robots.txt is missing';
	} else {
		my ($agent_star, @disallowed) = (0);
		my $in_star = 0;
		for my $l (split /\n/, $robots) {
			next if $l =~ /^\s*(?:#|$)/;
			if ($l =~ /^User-agent:\s*(\S+)\s*$/i) {
				$in_star = $1 eq '*';
				$agent_star ||= $in_star;
			} elsif ($l =~ /^Disallow:\s*(\S*)\s*$/i) {
				push @disallowed, $1 if $in_star && length $1;
			} elsif ($l !~ /^Allow:/i) {
				push @r, 'not a robots.txt line: ' . short($l);
			}
		}
		push @r, 'no "User-agent: *" group' unless $agent_star;
		push @r, map { "crawlers are disallowed from $_" } @disallowed;
	}
	ok(!@r, 'robots.txt is valid and allows crawlers', @r);
}

# Footnote markers: all nine kept; each paragraph's markers followed by link
# lines to references.gmi whose labels name them; the entries exist there.
sub covered ($label) {
	my %c;
	while ($label =~ /\[(\d+)\]\s*[–—-]\s*\[(\d+)\]/g) { $c{$_} = 1 for $1 .. $2 }
	$c{$1} = 1 while $label =~ /\[(\d+)\]/g;
	return \%c;
}

sub entry_id ($s) {
	return $1 if $s =~ /^(\[\d+\](?:\s*[–—-]\s*\[\d+\])?|E\d+)(?:\s|$)/;
	return undef;
}

if (my $t = $parsed{'testimony.gmi'}) {
	my (@problems, %all);
	for my $i (0 .. $#$t) {
		my $r = $t->[$i];
		next unless $r->{type} eq 'text';
		my @m = $r->{text} =~ /\[(\d+)\]/g;
		next unless @m;
		$all{$_} = 1 for @m;
		my %cov;
		for my $j ($i + 1 .. $#$t) {
			my $s = $t->[$j];
			next if $s->{type} eq 'text' && $s->{text} !~ /\S/;
			last unless $s->{type} eq 'link';
			next unless $s->{url} =~ m{^(?:\./)?references\.gmi$};
			%cov = (%cov, %{covered($s->{label})});
		}
		my @un = grep { !$cov{$_} } @m;
		push @problems, "line $r->{no}: marker(s) " . join(',', map {"[$_]"} @un)
			. ' not followed by a link to references.gmi naming them' if @un;
	}
	my @lost = grep { !$all{$_} } 1 .. 9;
	push @problems, 'marker(s) missing from the text: ' . join(',', map {"[$_]"} @lost) if @lost;
	ok(!@problems, 'testimony.gmi: footnote markers [1]..[9] kept and each linked to references', @problems);
}

if (my $refs = $parsed{'references.gmi'}) {
	my %ids;
	my %cov;
	for my $h (grep { $_->{type} eq 'heading' } @$refs) {
		my $id = entry_id($h->{text}) // next;
		(my $norm = $id) =~ s/\s*[–—-]\s*/–/;
		$ids{$norm} = 1;
		%cov = (%cov, %{covered($id)});
	}
	my @p;
	push @p, 'no entry for marker [' . $_ . ']' for grep { !$cov{$_} } 1 .. 9;
	for my $page (sort keys %parsed) {
		for my $r (grep { $_->{type} eq 'link' && $_->{url} =~ m{^(?:\./)?references\.gmi$} } @{$parsed{$page}}) {
			my $id = entry_id($r->{label}) // next;
			(my $norm = $id) =~ s/\s*[–—-]\s*/–/;
			push @p, "$page line $r->{no}: no entry \"$id\" in references.gmi" unless $ids{$norm};
		}
	}
	my $says = grep { ($_->{text} // '') =~ /footnote list was not preserved/i } @$refs;
	push @p, 'does not say that the original footnote list was not preserved' unless $says;
	ok(!@p, 'references.gmi: an entry for every marker; links name existing entries', @p);
}

# ---- editorial checks ---------------------------------------------------------

# The editor's note: a quote block right under the title of testimony.gmi
# that says the headings and links are the editor's, the text between them
# verbatim, the introduction the Foundation's, and what E1..E7 are.  Links
# out of the capsule and to reference entries ([1]-[3], E1...) must say
# they are the editor's, so that none reads as her own footnote.
if (my $t = $parsed{'testimony.gmi'}) {
	my @p;
	my @r = grep { !($_->{type} eq 'text' && $_->{text} !~ /\S/) } @$t;
	my $i = 1;
	my $note = '';
	$note .= ' ' . $r[$i++]{text} while $i <= $#r && $r[$i]{type} eq 'quote';
	if ($note !~ /\S/) {
		push @p, 'no quote block (the editor\'s note) right under the title';
	} else {
		push @p, 'the note does not call itself the editor\'s note'
			unless $note =~ /^\s*Editor[’']s note\b/;
		push @p, 'the note does not say that the headings and links are the editor\'s'
			unless $note =~ /headings and (?:the )?links are the editor[’']s/i;
		push @p, 'the note does not say that the text is verbatim'
			unless $note =~ /\bverbatim\b/i;
		push @p, 'the note does not attribute the introduction to the Foundation'
			unless $note =~ /introduction is the (?:Open Dialogue )?Foundation[’']s/i;
		push @p, 'the note does not explain E1 to E7'
			unless $note =~ /\bE1 (?:to|–|-) ?E7\b[^.]*\b(?:event|editor)/i;
	}
	my @unlabelled = map { "line $_->{no}: $_->{label}" }
		grep { $_->{type} eq 'link' && $_->{label} !~ /\bEditor[’']s link\b/
		       && ($_->{url} =~ /^[A-Za-z][A-Za-z0-9+.-]*:/
		           || defined entry_id($_->{label})) } @$t;
	push @p, 'links not labelled as the editor\'s:', @unlabelled if @unlabelled;
	ok(!@p, 'testimony.gmi: an editor\'s note under the title; links labelled as the editor\'s', @p);
}

# "Last updated: 2 December 2026. Sources checked: 2 December 2026." on
# every page, the same update date everywhere, sources not checked after it.
{
	my %month;
	@month{qw(January February March April May June July August September
	          October November December)} = 1 .. 12;
	my $DATE = qr/([1-9]|[12][0-9]|3[01]) (\w+) (20[0-9]{2})/;
	my (@p, %updated);
	for my $page (@gmi) {
		my @l = grep { $_->{type} =~ /^(?:text|quote)$/
			       && $_->{text} =~ /Last updated:/ } @{$parsed{$page}};
		if (@l != 1) {
			push @p, "$page: " . (@l ? 'more than one' : 'no') . ' "Last updated:" line';
			next;
		}
		my ($ud, $um, $uy, $sd, $sm, $sy) = $l[0]{text} =~
			/^Last updated: $DATE\. Sources checked: $DATE\.$/;
		if (!defined $sy || !$month{$um} || !$month{$sm}) {
			push @p, "$page line $l[0]{no}: not \"Last updated: D Month YYYY. "
				. 'Sources checked: D Month YYYY.": ' . short($l[0]{text});
			next;
		}
		my $u = sprintf '%04d-%02d-%02d', $uy, $month{$um}, $ud;
		my $c = sprintf '%04d-%02d-%02d', $sy, $month{$sm}, $sd;
		push @p, "$page: sources checked ($c) after the last update ($u)" if $c gt $u;
		$updated{$u} = 1;
	}
	push @p, 'pages give different update dates: ' . join(', ', sort keys %updated)
		if keys %updated > 1;
	ok(!@p, 'every page gives its last-update and sources-checked dates', @p);
}

# Titles that still say whose page it is in a bookmark list.
{
	my (@p, %seen);
	for my $page (@gmi) {
		my ($h) = grep { $_->{type} ne 'text' || $_->{text} =~ /\S/ } @{$parsed{$page}};
		my $want = $page eq 'index.gmi' ? qr/^Bota Jardemalie$/
			: qr/^Bota Jardemalie: \S.*$/;
		if (!$h || $h->{type} ne 'heading' || $h->{level} != 1 || $h->{text} !~ $want) {
			push @p, "$page: first line is not \"# Bota Jardemalie"
				. ($page eq 'index.gmi' ? '"' : ': ..."');
		} elsif ($seen{$h->{text}}++) {
			push @p, "$page: title \"$h->{text}\" used twice";
		}
	}
	ok(!@p, 'page titles name her ("Bota Jardemalie: ...") and differ', @p);
}

# What only her testimony says never stands in the capsule's own voice: a
# sentence of the editor's (every line but her verbatim text) that states
# one of these must name the testimony (or quote her) as its source.
{
	my @claims = (
		[ qr/\bsix years\b/i, 'the length of the proceedings (Le Soir: seven years)' ],
		[ qr/(?:€|EUR) ?15[,.]?000/, 'the €15,000' ],
		[ qr/\brecogni[sz]\w* (?:her|Jardemalie) as\b/i, 'the CCBE recognition' ],
		[ qr/\buph[eo]ld\w*\s+(?:her|my)\s+position\b/i, 'judgment 1/2022 upholding her position' ],
	);
	# "in her words" does not count: the old timeline hung it on a
	# quotation inside a sentence that stated the rest as fact.
	my $ATTR = qr/\btestimony\b|\bshe (?:writes|says)\b|\bnot visible\b/i;
	my @p;
	for my $page (@gmi) {
		for my $r (@{$parsed{$page}}) {
			next if $r->{type} eq 'pre' || $r->{type} eq 'toggle';
			# her own words: the text lines of the testimony
			next if $page eq 'testimony.gmi' && $r->{type} eq 'text';
			my $s = $r->{type} eq 'link' ? $r->{label} : ($r->{text} // $r->{raw});
			for my $sent (split /(?<=[.!?])\s+(?=[A-Z“"(])/, $s) {
				for my $c (@claims) {
					next unless $sent =~ $c->[0] && $sent !~ $ATTR;
					push @p, "$page line $r->{no}: $c->[1] in the capsule's own voice: \""
						. short($sent, 70) . '"';
				}
			}
		}
	}
	ok(!@p, 'claims only her testimony makes are attributed to it', @p);
}

# Verbatim: every sentence of the source, unchanged and in order.
my $source = "$shared/testimony-source.txt";
if (-r $source && $parsed{'testimony.gmi'}) {
	my @p;
	my ($src, $err) = slurp_utf8($source);
	push @p, "testimony-source.txt: $err" if $err;
	my $WS = qr/[\s\x{a0}]/;
	my @paras;
	my $cur;
	for my $l (split /\n/, $src // '') {
		if ($l =~ /^$WS*$/) {
			push @paras, $cur if defined $cur;
			undef $cur;
		} else {
			$cur = defined $cur ? "$cur\n$l" : $l;
		}
	}
	push @paras, $cur if defined $cur;
	s/^$WS+|$WS+$//g for @paras;
	# The page's name heading at the top (repeated in what follows) and the
	# donation widget at the end are not part of the testimony.
	if (@paras && $paras[0] !~ /[.:]/ && $paras[0] =~ /^\S+(?: \S+){0,4}$/
	    && index(join("\n", @paras[1 .. $#paras]), $paras[0]) >= 0) {
		shift @paras;
	} else {
		push @p, 'source no longer starts with the repeated name: review this test';
	}
	if (@paras && $paras[-1] =~ /donation/i) {
		pop @paras;
	} else {
		push @p, 'source no longer ends with the donation line: review this test';
	}

	# The editor's note is the quote block before her text; a quote
	# anywhere after it is compared like any other line.
	my $before = 1;
	my @lines = map { [$_->{no}, $_->{raw} =~ s/$WS+$//r] }
		grep { $before = 0 if $_->{type} eq 'text' && $_->{text} !~ /^$WS*$/
		           || $_->{type} eq 'list';
		       !($_->{type} eq 'heading' || $_->{type} eq 'link'
		         || ($_->{type} eq 'quote' && $before)
		         || ($_->{type} eq 'text' && $_->{text} =~ /^$WS*$/)) }
		@{$parsed{'testimony.gmi'}};
	my $li = 0;
	PARA: for my $pi (0 .. $#paras) {
		last if @p;
		my $rest = $paras[$pi];
		while (1) {
			if ($li > $#lines) {
				push @p, 'testimony.gmi ends before source paragraph ' . ($pi + 1)
					. ': "' . short($rest) . '"';
				last PARA;
			}
			my ($no, $l) = @{$lines[$li++]};
			if (substr($rest, 0, length $l) ne $l) {
				my $k = 0;
				$k++ while $k < length($l) && $k < length($rest)
					&& substr($l, $k, 1) eq substr($rest, $k, 1);
				my $from = $k > 20 ? $k - 20 : 0;
				push @p, "testimony.gmi line $no differs from the source at column " . ($k + 1) . ':',
					'source: "' . short(substr($rest, $from), 70) . '"',
					'page:   "' . short(substr($l, $from), 70) . '"';
				last PARA;
			}
			$rest = substr($rest, length $l);
			next PARA if $rest =~ /^$WS*$/;
			if ($rest !~ /^$WS/) {
				push @p, "testimony.gmi line $no ends where the source goes on with \""
					. short($rest, 40) . '"';
				last PARA;
			}
			if ($l !~ /[.!?:;)\]”’"']$/) {
				push @p, "testimony.gmi line $no: paragraph broken inside a sentence, before \""
					. short($rest =~ s/^$WS+//r, 40) . '"';
				last PARA;
			}
			$rest =~ s/^$WS+//;
		}
	}
	if (!@p && $li <= $#lines) {
		push @p, "testimony.gmi line $lines[$li][0]: text that is not in the source: \""
			. short($lines[$li][1]) . '"';
	}
	ok(!@p, 'testimony.gmi: her text is verbatim and in order', @p);
}

say "1..$n";
exit($failures ? 1 : 0);
