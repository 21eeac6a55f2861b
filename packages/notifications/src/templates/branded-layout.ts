import { Body } from '@react-email/body';
import { Button } from '@react-email/button';
import { Container } from '@react-email/container';
import { Head } from '@react-email/head';
import { Heading } from '@react-email/heading';
import { Hr } from '@react-email/hr';
import { Html } from '@react-email/html';
import { Img } from '@react-email/img';
import { Preview } from '@react-email/preview';
import { Section } from '@react-email/section';
import { Text } from '@react-email/text';
import { createElement as h, type ReactElement } from 'react';
import { safeColour, safeLogoUrl, type MailBrand, type NotificationLanguage } from '../brand.js';

/** A message's content, free of layout: what every template fills in and the branded layout shows. */
export interface MessageContent {
  subject: string;
  /** The line mail clients show beside the subject. */
  preview: string;
  greeting: string;
  paragraphs: string[];
  /** A highlighted value to copy (the activation code). */
  code?: { label: string; value: string };
  /** Label/value rows (amount, time). */
  facts?: [string, string][];
  action?: { label: string; url: string };
  /** Lines under the action (validity, "ignore this"). */
  after: string[];
  footer: string[];
}

const TEXT = '#1f2933';
const MUTED = '#52606d';

/** The tenant's look around a message: its logo (or name), its primary colour on the action, its accent on the code. */
export function brandedLayout(brand: MailBrand, language: NotificationLanguage, content: MessageContent): ReactElement {
  const primary = safeColour(brand.primaryColor, '#2563eb');
  const accent = safeColour(brand.accentColor, '#0f766e');
  const logo = safeLogoUrl(brand.logoUrl);
  const paragraph = (text: string, key: string) => h(Text, { key, style: { color: TEXT, fontSize: '15px', lineHeight: '22px' } }, text);
  return h(
    Html,
    { lang: language },
    h(Head, null),
    h(Preview, null, content.preview),
    h(
      Body,
      { style: { backgroundColor: '#f4f5f7', fontFamily: 'Helvetica, Arial, sans-serif', margin: 0, padding: '24px 0' } },
      h(
        Container,
        { style: { backgroundColor: '#ffffff', borderTop: `4px solid ${primary}`, maxWidth: '560px', padding: '24px 32px' } },
        h(
          Section,
          { style: { paddingBottom: '8px' } },
          logo
            ? h(Img, { src: logo, alt: brand.displayName, height: 40, style: { height: '40px', width: 'auto' } })
            : h(Heading, { as: 'h2', style: { color: primary, margin: 0 } }, brand.displayName),
        ),
        h(Heading, { as: 'h1', style: { color: TEXT, fontSize: '20px' } }, content.subject),
        paragraph(content.greeting, 'greeting'),
        ...content.paragraphs.map((text, i) => paragraph(text, `p${i}`)),
        content.code
          ? h(
              Section,
              { style: { border: `2px solid ${accent}`, borderRadius: '6px', margin: '16px 0', padding: '12px', textAlign: 'center' } },
              h(Text, { style: { color: MUTED, fontSize: '13px', margin: 0 } }, content.code.label),
              h(
                Text,
                {
                  style: {
                    color: accent,
                    fontFamily: 'Menlo, Consolas, monospace',
                    fontSize: '24px',
                    letterSpacing: '3px',
                    margin: '4px 0 0',
                  },
                },
                content.code.value,
              ),
            )
          : null,
        ...(content.facts ?? []).map(([label, value], i) => paragraph(`${label}: ${value}`, `f${i}`)),
        content.action
          ? h(
              Section,
              { style: { margin: '20px 0' } },
              h(
                Button,
                {
                  href: content.action.url,
                  style: { backgroundColor: primary, borderRadius: '6px', color: '#ffffff', fontWeight: 600, padding: '12px 20px' },
                },
                content.action.label,
              ),
            )
          : null,
        ...content.after.map((text, i) => paragraph(text, `a${i}`)),
        h(Hr, { style: { borderColor: '#e4e7eb' } }),
        ...content.footer.map((text, i) => h(Text, { key: `ft${i}`, style: { color: MUTED, fontSize: '12px' } }, text)),
      ),
    ),
  );
}
