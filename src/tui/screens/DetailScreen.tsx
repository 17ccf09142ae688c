import { AccountsView } from '../components/AccountsView.js';
import { FailuresView } from '../components/FailuresView.js';
import { Header } from '../components/Header.js';
import { runRulesRows } from '../components/RunRules.js';
import { RulesRow, type ScreenProps } from './Frozen.js';

/** The `f` and `a` views: the header, then every recent failure, or every account. */
export function DetailScreen({ screen, ...props }: ScreenProps & { screen: 'failures' | 'accounts' }) {
  const { view, now, width } = props;
  // Under the header and above the key line.
  const maxRows = props.rows - 2 - runRulesRows(view);
  return (
    <>
      <Header view={view} now={now} width={width} />
      <RulesRow {...props} />
      {screen === 'failures'
        ? <FailuresView view={view} now={now} width={width} maxRows={maxRows} />
        : <AccountsView view={view} now={now} width={width} maxRows={maxRows} />}
    </>
  );
}
